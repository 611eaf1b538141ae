import JLFiles
import ArgumentParser

/// The process exit statuses of every JLSketch experiment executable and of `exp-merge`.
///
/// The non-zero values follow BSD `sysexits.h`, so shell scripts and Slurm can tell a typo from
/// a full disk; 130 is the shell convention 128 + SIGINT.
///
/// | status | meaning                                                          |
/// |-------:|------------------------------------------------------------------|
/// |      0 | success                                                          |
/// |     64 | usage error: a bad option value (`EX_USAGE`, also ArgumentParser's) |
/// |     65 | bad input data: unreadable or inconsistent shard files (`EX_DATAERR`) |
/// |     70 | internal error: an experiment or the harness failed (`EX_SOFTWARE`) |
/// |     73 | cannot create an output file, or it exists without `--overwrite` (`EX_CANTCREAT`) |
/// |    130 | interrupted by SIGINT or SIGTERM; no output file was written     |
public enum ExperimentExitStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case success = 0
    case usage = 64
    case dataError = 65
    case internalError = 70
    case cannotCreateOutput = 73
    case interrupted = 130

    /// The ArgumentParser exit code to throw from `run()`.
    public var exitCode: ExitCode { ExitCode(rawValue) }

    public var description: String {
        switch self {
        case .success: "success"
        case .usage: "usage error"
        case .dataError: "bad input data"
        case .internalError: "internal error"
        case .cannotCreateOutput: "cannot create output"
        case .interrupted: "interrupted"
        }
    }
}

/// Errors of the experiment harness. Each message is one line and says what to do.
public enum ExperimentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value or combination is invalid (exit 64).
    case invalidOption(String)
    /// A `--shard` value is not `i/n` with `0 ≤ i < n` (exit 64).
    case invalidShard(spec: String, reason: String)
    /// An input file (a shard file for merging) is unreadable or malformed (exit 65).
    case invalidInput(String)
    /// Two shard files disagree on a manifest or parameter field (exit 65).
    case shardMismatch(field: String, firstFile: String, otherFile: String)
    /// The shard files do not hold each block `0..<blockCount` exactly once (exit 65).
    case incompleteShards(missing: [Int], duplicate: [Int], blockCount: Int)
    /// A shard file names an experiment the merging executable does not know (exit 65).
    case unknownExperiment(name: String, known: [String])
    /// An output file exists and `--overwrite` was not given (exit 73).
    case outputExists(path: String)
    /// An output file cannot be created or written (exit 73).
    case cannotCreateOutput(path: String, reason: String)
    /// An output file cannot be created: the JLFiles error says why (exit 73).
    case outputFile(FileError)
    /// The experiment itself failed (exit 70).
    case experimentFailed(String)
    /// A harness invariant failed (exit 70); please report it.
    case internalFailure(String)
    /// The run was interrupted by SIGINT/SIGTERM or task cancellation (exit 130).
    case interrupted

    /// The exit status a command-line tool reports for this error.
    public var exitStatus: ExperimentExitStatus {
        switch self {
        case .invalidOption, .invalidShard: .usage
        case .invalidInput, .shardMismatch, .incompleteShards, .unknownExperiment: .dataError
        case .outputExists, .cannotCreateOutput, .outputFile: .cannotCreateOutput
        case .experimentFailed, .internalFailure: .internalError
        case .interrupted: .interrupted
        }
    }

    /// One line: text from the command line or from files (a `--shard` value, a path) may hold
    /// line breaks or other control characters — e.g. `0/4\r` from a script with CRLF line
    /// endings — and they are shown as `\u{XX}` escapes.
    public var description: String { Self.singleLine(multiLineDescription) }

    /// Replaces control characters (C0 except tab, DEL, C1) and U+2028/U+2029 with `\u{XX}`.
    /// (Found by Fuzz/settings: a form feed in a `--shard` value split the message.)
    static func singleLine(_ text: String) -> String {
        func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            return (value < 0x20 && value != 0x09) || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
        }
        guard text.unicodeScalars.contains(where: isEscaped) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isEscaped(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// The message before control characters are escaped.
    private var multiLineDescription: String {
        switch self {
        case let .invalidOption(message):
            message
        case let .invalidShard(spec, reason):
            "invalid --shard '\(spec)': \(reason)"
        case let .invalidInput(message):
            message
        case let .shardMismatch(field, firstFile, otherFile):
            "shards come from different commands/seeds: \(field) differs between \(firstFile) and \(otherFile)"
        case let .incompleteShards(missing, duplicate, blockCount):
            "cannot merge: "
                + [missing.isEmpty ? nil : "missing blocks \(Self.compactList(missing))",
                   duplicate.isEmpty ? nil : "duplicate blocks \(Self.compactList(duplicate))"]
                    .compactMap { $0 }.joined(separator: "; ")
                + " (need blocks 0..<\(blockCount) exactly once: run the missing shards or drop repeated files)"
        case let .unknownExperiment(name, known):
            "unknown experiment '\(name)' in shard file (this merger knows: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case let .outputExists(path):
            "output file '\(path)' already exists: pass --overwrite to replace it"
        case let .outputFile(error):
            error.description
        case let .cannotCreateOutput(path, reason):
            "cannot create output file '\(path)': \(reason)"
        case let .experimentFailed(message):
            "experiment failed: \(message)"
        case let .internalFailure(message):
            "internal error (please report): \(message)"
        case .interrupted:
            "interrupted: no output files were written"
        }
    }

    /// `[1, 2, 3, 7, 9, 10]` → `"1-3, 7, 9-10"`, at most 20 runs shown.
    static func compactList(_ values: [Int]) -> String {
        var runs: [String] = []
        var index = 0
        let sorted = values.sorted()
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            runs.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return runs.count > 20 ? runs.prefix(20).joined(separator: ", ") + ", …" : runs.joined(separator: ", ")
    }
}
