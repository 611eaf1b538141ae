import Foundation
import JLLinearAlgebra
import JLRandom

/// The JLSketch toolkit version recorded in manifests.
public enum ToolkitVersion {
    /// Semantic version of this source tree.
    public static let current = "0.1.0"
}

/// The OpenBLAS build an experiment ran with.
public struct BLASInfo: Codable, Sendable, Equatable {
    /// `openblas_get_config()`.
    public var configuration: String
    /// `openblas_get_corename()`.
    public var coreName: String

    public init(configuration: String, coreName: String) {
        self.configuration = configuration
        self.coreName = coreName
    }

    /// The loaded OpenBLAS.
    public static var current: BLASInfo {
        BLASInfo(configuration: BLASConfiguration.configuration, coreName: BLASConfiguration.coreName)
    }
}

/// Everything needed to reproduce a result, recorded under `"manifest"` in every JSON output.
///
/// Deliberately absent: the thread count and wall-clock times (they would make `--threads 1`
/// and `--threads 8` outputs differ; they go to stderr and `--timings`), and the shard (shard
/// files record it beside the manifest, so all shards of one run have identical manifests).
public struct RunManifest: Codable, Sendable, Equatable {
    /// The experiment name.
    public var experiment: String
    /// ``ToolkitVersion/current``.
    public var toolkitVersion: String
    /// `git rev-parse --short HEAD` in the working directory at run time, or `unknown`.
    public var gitRevision: String
    /// The command line, executable base name first, without the options that do not affect
    /// results (`--shard --threads --json --csv --plot --timings --quiet --overwrite`).
    public var commandLine: String
    /// The master seed.
    public var seed: UInt64
    /// The number of trials.
    public var trials: Int
    /// Trials per block.
    public var blockSize: Int
    /// `⌈trials / blockSize⌉`.
    public var blockCount: Int
    /// `JLRandom.RandomStream.algorithm` (`Philox4x32-10`).
    public var rngAlgorithm: String
    /// The floating-point precision.
    public var precision: Precision
    /// The experiment's transform specs.
    public var transformSpecs: [String]
    /// The OpenBLAS build (always run with 1 OpenBLAS thread).
    public var blas: BLASInfo

    public init(
        experiment: String, toolkitVersion: String, gitRevision: String, commandLine: String,
        seed: UInt64, trials: Int, blockSize: Int, blockCount: Int, rngAlgorithm: String,
        precision: Precision, transformSpecs: [String], blas: BLASInfo
    ) {
        self.experiment = experiment
        self.toolkitVersion = toolkitVersion
        self.gitRevision = gitRevision
        self.commandLine = commandLine
        self.seed = seed
        self.trials = trials
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.rngAlgorithm = rngAlgorithm
        self.precision = precision
        self.transformSpecs = transformSpecs
        self.blas = blas
    }

    /// Options with a value that are dropped from ``commandLine``.
    static let droppedValueOptions: Set<String> = ["--shard", "--threads", "--json", "--csv", "--plot", "--timings"]
    /// Flags that are dropped from ``commandLine``.
    static let droppedFlags: Set<String> = ["--quiet", "--overwrite"]

    /// The recorded command line for `arguments` (`argv`): the executable's base name, then the
    /// arguments without output/scheduling options, shell-quoted where needed, joined by spaces.
    /// - Complexity: O(total argument length).
    public static func canonicalCommandLine(_ arguments: [String]) -> String {
        guard let executable = arguments.first else { return "" }
        var kept = [String(executable.split(separator: "/").last ?? Substring(executable))]
        var position = 1
        while position < arguments.count {
            let argument = arguments[position]
            position += 1
            if argument == "--" {
                kept.append(contentsOf: arguments[(position - 1)...])
                break
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if droppedFlags.contains(argument) { continue }
            if droppedValueOptions.contains(name) {
                if !argument.contains("=") { position += 1 }  // skip the separate value
                continue
            }
            kept.append(argument)
        }
        return kept.map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ argument: String) -> String {
        let safe = !argument.isEmpty && argument.allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0))
        }
        return safe ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `git rev-parse --short HEAD` run from the executable's directory, or `unknown` when git or a
    /// repository is not available.
    /// - Complexity: one subprocess.
    public static func currentGitRevision() -> String {
        // Ask git from the executable's directory (…/.build/<config>/ inside the checkout), so
        // the revision does not depend on where the command is run from; shards started from
        // different working directories then still agree.
        let executableDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", executableDirectory, "rev-parse", "--short", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "unknown"
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return "unknown" }
        let revision = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return revision.isEmpty ? "unknown" : revision
    }
}
