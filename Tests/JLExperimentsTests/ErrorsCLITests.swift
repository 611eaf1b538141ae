import Foundation
import JLNumpy
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// CLI rows of docs/errors.md: the real executables, spawned with Foundation.Process, checked for
// their exit status, their one-line `error:`/`Error:` message and the files they leave behind.
//
// `swift test` builds every target of the package (executables included) before running tests,
// so exp-distortion and friends sit beside the test bundle in .build/<configuration>/. Set
// JLSKETCH_BIN_DIR to test binaries elsewhere (e.g. a release build).

/// Locating and running the experiment executables.
enum CLI {
    /// The directory holding the built executables, or nil.
    ///
    /// Tried in order: `$JLSKETCH_BIN_DIR`, then the directories above the running test binary
    /// (`/proc/self/exe` on Linux, `argv[0]` elsewhere), up to six levels.
    static let binaryDirectory: URL? = {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["JLSKETCH_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var starts: [URL] = []
        if let linked = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: linked))
        }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<6 {
                if fileManager.isExecutableFile(atPath: directory.appendingPathComponent("exp-distortion").path) {
                    return directory
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// The finished process.
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
        /// Whether the process ended by an uncaught signal (then `status` is the signal number).
        var signalled: Bool
    }

    /// The executable `name`, recording an issue when it has not been built.
    static func executable(_ name: String) -> URL? {
        guard let directory = binaryDirectory else {
            Issue.record("no built exp-distortion beside the test bundle: run `swift build` (all products) or set JLSKETCH_BIN_DIR")
            return nil
        }
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            Issue.record("\(url.path) is not built")
            return nil
        }
        return url
    }

    /// Starts `name arguments` in `directory` with stdout and stderr going to files there.
    static func start(_ name: String, _ arguments: [String], in directory: String) throws -> (Process, String, String)? {
        guard let url = executable(name) else { return nil }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        // stdout/stderr go to files outside `directory`, so the directory shows only what the tool wrote.
        let logs = directory + ".logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let outPath = "\(logs)/\(UUID().uuidString).out", errPath = "\(logs)/\(UUID().uuidString).err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, outPath, errPath)
    }

    /// Waits for a started process (polling, at most `timeout` seconds, then SIGKILL) and reads its output.
    static func finish(_ started: (Process, String, String), timeout: Double = 120) -> Outcome {
        let (process, outPath, errPath) = started
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            Issue.record("\(process.executableURL?.lastPathComponent ?? "?") still running after \(timeout) s; killing it")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Outcome(status: process.terminationStatus, standardOutput: read(outPath), standardError: read(errPath),
                       signalled: process.terminationReason == .uncaughtSignal)
    }

    /// Runs `name arguments` to completion in `directory`.
    static func run(_ name: String, _ arguments: [String], in directory: String) throws -> Outcome? {
        guard let started = try start(name, arguments, in: directory) else { return nil }
        return finish(started)
    }
}

/// A unique empty working directory for one CLI test, removed afterwards.
final class CLIScratch {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/jlsketch-errors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }
    deinit {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".logs")
    }
    /// The names in the directory (hidden ones included), sorted.
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// Small, fast exp-distortion arguments (part 1 only, one transform, one m).
let quickDistortion = ["--no-attention", "--transforms", "gaussian", "--dimension", "8", "--sketch-dimensions", "16", "--quiet"]

@Suite("docs/errors.md: CLI rows", .serialized)
struct ErrorsCLITests {
    /// A usage or data error: exit status, a message line, and nothing written.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var tool: String
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { "\(tool) \(arguments.joined(separator: " ")) → \(status)" }
    }

    static let usageErrors: [Refusal] = [
        Refusal(tool: "exp-distortion", arguments: ["--dimension", "0"], status: 64,
                message: "error: --dimension must be in 2...1048576, got 0"),
        Refusal(tool: "exp-distortion", arguments: ["--dimension", "2000000", "--no-attention"], status: 64,
                message: "error: --dimension must be in 2...1048576, got 2000000"),
        Refusal(tool: "exp-distortion", arguments: ["--sketch-dimensions", "0", "--no-attention"], status: 64,
                message: "error: --sketch-dimensions must be in 1...4194304, got [0]"),
        Refusal(tool: "exp-distortion", arguments: ["--trials", "0"], status: 64,
                message: "Error: --trials must be ≥ 1, got 0"),
        Refusal(tool: "exp-distortion", arguments: ["--transforms", "srht"], status: 64,
                message: "error: --transforms: 'srht' is not rotation invariant"),
        Refusal(tool: "exp-unbiasedness", arguments: ["--sketch-dimension", "0"], status: 64,
                message: "Error: --sketch-dimension must be ≥ 1, got 0"),
        Refusal(tool: "exp-unbiasedness", arguments: ["--dimension=-3"], status: 64,
                message: "Error: --dimension must be ≥ 2 (pairs use e₁ and e₂), got -3"),
        Refusal(tool: "exp-unbiasedness", arguments: ["--transforms", "srht-hadamard", "--dimension", "12"], status: 64,
                message: "Error: transform 'srht-hadamard' at d = 12, m = 128: invalid transform option: mixing 'hadamard' needs a power-of-two input dimension, got d = 12; use 'dct' or 'automatic'"),
        Refusal(tool: "exp-unbiasedness", arguments: ["--transforms", "sparse-9", "--sketch-dimension", "8"], status: 64,
                message: "Error: transform 'sparse-9' at d = 128, m = 8: invalid transform option: sparse sign needs 1 ≤ nonzeros per column ≤ m; got s = 9 with m = 8"),
        Refusal(tool: "exp-seed-variance", arguments: ["--sketch-dimension", "0"], status: 64,
                message: "Error: --sketch-dimension must be ≥ 1, got 0"),
        Refusal(tool: "exp-seed-variance", arguments: ["--dimension", "20000"], status: 64,
                message: "Error: --dimension ≤ 16384 and --sketch-dimension ≤ 65536, got d = 20000, m = 256"),
        Refusal(tool: "exp-distortion", arguments: ["--shard", "2/2", "--json", "out.json"], status: 64,
                message: "Error: invalid --shard '2/2': shard index 2 must be < shard count 2"),
        Refusal(tool: "exp-distortion", arguments: ["--shard", "1/0", "--json", "out.json"], status: 64,
                message: "Error: invalid --shard '1/0': shard count must be ≥ 1"),
        Refusal(tool: "exp-distortion", arguments: ["--shard=-1/2", "--json", "out.json"], status: 64,
                message: "Error: invalid --shard '-1/2': expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4"),
        Refusal(tool: "exp-distortion", arguments: ["--shard", "one/two", "--json", "out.json"], status: 64,
                message: "Error: invalid --shard 'one/two': expected i/n"),
        Refusal(tool: "exp-distortion", arguments: ["--shard", "0/2"], status: 64,
                message: "Error: --shard needs --json FILE: the shard file is what exp-merge combines"),
        Refusal(tool: "exp-distortion", arguments: ["--shard", "0/2000", "--trials", "50", "--json", "out.json"] + quickDistortion,
                status: 64, message: "Error: --shard 0/2000: 2000 shards for 50 trials leaves some shards empty; use at most 50"),
        Refusal(tool: "exp-distortion", arguments: ["--json", "same.json", "--csv", "same.json"], status: 64,
                message: "Error: --json and --csv name the same file 'same.json'"),
        Refusal(tool: "exp-distortion", arguments: ["--keys", "keys.npy"], status: 64,
                message: "Error: --keys and --queries go together"),
        Refusal(tool: "exp-merge", arguments: [], status: 64, message: "Error: Missing expected argument '<shards> ...'"),
        Refusal(tool: "exp-runtime", arguments: ["--lengths", "100"], status: 64,
                message: "error: sequence length 100 is invalid: it must be a multiple of the buffer size 128"),
        Refusal(tool: "exp-runtime", arguments: ["--threads", "0"], status: 64,
                message: "error: --threads 0 is invalid: it must be ≥ 1"),
        Refusal(tool: "exp-runtime", arguments: ["--scoring", "fast"], status: 64,
                message: "error: --scoring 'fast' is not recognized; use one of plain, lookupTable, vectorized, approximateInt8"),
        Refusal(tool: "exp-bits", arguments: ["--kivi-bits", "5"], status: 64,
                message: "error: kivi b=5 G=32: 5 bits per code is not supported; use one of [1, 2, 4, 8]"),
        Refusal(tool: "exp-transforms", arguments: ["--transforms", "nope"], status: 64,
                message: "error: --transforms: invalid transform option: unknown transform 'nope'"),
    ]

    @Test("usage errors: exit 64, the message on stderr, no file written", arguments: usageErrors)
    func usageError(refusal: Refusal) throws {
        try expectRefusal(refusal)
    }

    func expectRefusal(_ refusal: Refusal, scratch: CLIScratch? = nil) throws {
        let scratch = try scratch ?? CLIScratch()
        let before = scratch.contents
        guard let outcome = try CLI.run(refusal.tool, refusal.arguments, in: scratch.path) else { return }
        #expect(outcome.status == refusal.status && !outcome.signalled, "stderr: \(outcome.standardError)")
        let firstLine = outcome.standardError.split(separator: "\n").first.map(String.init) ?? ""  // split drops empty lines
        #expect(firstLine.contains(refusal.message), "first stderr line: \(firstLine)")
        #expect(outcome.standardOutput.isEmpty)
        #expect(scratch.contents == before, "files left: \(scratch.contents)")
    }

    // MARK: --keys / --queries data errors (exit 65)

    @Test("bad --keys/--queries data: NaN, shape mismatch, unreadable .npy → exit 65, one line, nothing written")
    func dataErrors() throws {
        let scratch = try CLIScratch()
        let inputs = scratch.path + ".inputs"
        try FileManager.default.createDirectory(atPath: inputs, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: inputs) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = "\(inputs)/\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let good = try ErrorsLibraryTests.validNpy()
        let goodPath = try write("good.npy", good)
        let nanBytes = try JLNumpyBytes.matrix(rows: 2, columns: 4, values: [0, 1, 2, 3, 4, .nan, 6, 7])
        let nanPath = try write("nan.npy", nanBytes)
        let otherD = try write("d5.npy", try JLNumpyBytes.matrix(rows: 2, columns: 5, values: [Float](repeating: 1, count: 10)))
        let fortran = try write("fortran.npy", ErrorsLibraryTests.replacing("False", with: "True ", in: good))
        let bigEndian = try write("big.npy", ErrorsLibraryTests.replacing("'<f4'", with: "'>f4'", in: good))
        let truncated = try write("short.npy", Array(good.dropLast(3)))
        let cases: [(keys: String, queries: String, message: String)] = [
            (nanPath, goodPath, "error: '\(nanPath)' holds a NaN or infinite value at flat index 5; clean the data first"),
            (goodPath, otherD, "error: keys (2, 4) and queries (2, 5) disagree"),
            (fortran, goodPath, "error: cannot read '\(fortran)': Fortran-order .npy arrays are not supported"),
            (goodPath, bigEndian, "error: cannot read '\(bigEndian)': big-endian dtype '>f4' is not supported"),
            (truncated, goodPath, "error: cannot read '\(truncated)': truncated .npy data"),
            ("\(inputs)/missing.npy", goodPath, "error: cannot read '\(inputs)/missing.npy': cannot read \(inputs)/missing.npy: no such file"),
        ]
        for (keys, queries, message) in cases {
            try expectRefusal(Refusal(tool: "exp-distortion", arguments: ["--keys", keys, "--queries", queries, "--json", "out.json"] + quickDistortion.filter { $0 != "--no-attention" },
                                      status: 65, message: message), scratch: scratch)
        }
    }

    // MARK: output paths (exit 73)

    @Test("existing, missing-directory, file-as-directory and directory outputs: exit 73 before any trial, nothing changed")
    func outputErrors() throws {
        let scratch = try CLIScratch()
        let existing = "\(scratch.path)/existing.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: existing))
        let plainFile = "\(scratch.path)/plain"
        try Data().write(to: URL(fileURLWithPath: plainFile))
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/adir", withIntermediateDirectories: false)
        let cases: [(String, String)] = [
            (existing, "error: output file '\(existing)' already exists: pass --overwrite to replace it"),
            ("\(scratch.path)/nodir/out.json", "error: cannot write \(scratch.path)/nodir/out.json: directory '\(scratch.path)/nodir' does not exist (create it first)"),
            ("\(plainFile)/out.json", "error: cannot use \(plainFile)/out.json: a component of its parent directory is a regular file"),
            ("\(scratch.path)/adir", "error: \(scratch.path)/adir is a directory, expected a regular file path"),
        ]
        for (path, message) in cases {
            try expectRefusal(Refusal(tool: "exp-distortion", arguments: quickDistortion + ["--trials", "50", "--json", path],
                                      status: 73, message: message), scratch: scratch)
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "old")
        // exp-runtime checks its outputs before timing anything, with the same status and message.
        try expectRefusal(Refusal(tool: "exp-runtime", arguments: ["--lengths", "128", "--repeats", "1", "--json", existing],
                                  status: 73, message: "error: output file '\(existing)' already exists"), scratch: scratch)
        try expectRefusal(Refusal(tool: "exp-runtime", arguments: ["--lengths", "128", "--plot", "\(scratch.path)/nodir/r.svg"],
                                  status: 73, message: "error: cannot write \(scratch.path)/nodir/r.svg: directory '\(scratch.path)/nodir' does not exist (create it first)"),
                          scratch: scratch)
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "old")
        // The same refusal from exp-merge, before it reads any shard.
        try expectRefusal(Refusal(tool: "exp-merge", arguments: ["--json", existing, "no-such-shard.json"], status: 73,
                                  message: "error: output file '\(existing)' already exists"), scratch: scratch)
    }

    // MARK: exp-merge refusals (exit 65)

    @Test("exp-merge refuses shards of different seeds, different commands and repeated or missing blocks")
    func mergeRefusals() throws {
        let scratch = try CLIScratch()
        func shard(_ tool: String, _ extra: [String], _ spec: String, _ name: String) throws {
            guard let outcome = try CLI.run(tool, extra + ["--shard", spec, "--json", name, "--quiet"], in: scratch.path) else { return }
            #expect(outcome.status == 0, "\(tool) \(spec): \(outcome.standardError)")
        }
        let distortion = quickDistortion.filter { $0 != "--quiet" } + ["--trials", "50"]
        try shard("exp-distortion", distortion + ["--seed", "1"], "0/2", "d-seed1-0.json")
        try shard("exp-distortion", distortion + ["--seed", "1"], "1/2", "d-seed1-1.json")
        try shard("exp-distortion", distortion + ["--seed", "2"], "1/2", "d-seed2-1.json")
        try shard("exp-distortion", distortion + ["--seed", "1", "--dimension", "16"], "1/2", "d-dim16-1.json")
        try shard("exp-unbiasedness", ["--trials", "100", "--transforms", "gaussian", "--estimators", "qjl-derived",
                                       "--angles", "90", "--dimension", "8", "--sketch-dimension", "8"], "1/2", "u-1.json")
        let cases: [([String], String)] = [
            (["d-seed1-0.json", "d-seed2-1.json"], "error: shards come from different commands/seeds: manifest.seed differs between d-seed1-0.json and d-seed2-1.json"),
            (["d-seed1-0.json", "d-dim16-1.json"], "error: shards come from different commands/seeds: parameters.inputDimension differs between d-seed1-0.json and d-dim16-1.json"),
            (["d-seed1-0.json", "u-1.json"], "error: shards come from different commands/seeds: manifest.experiment differs between d-seed1-0.json and u-1.json"),
            (["d-seed1-0.json"], "error: cannot merge: missing blocks 1"),
            (["d-seed1-0.json", "d-seed1-0.json", "d-seed1-1.json"], "error: cannot merge: duplicate blocks 0"),
            (["d-seed1-0.json", "nothing.json"], "error: cannot read shard file: cannot read nothing.json: no such file (check the path)"),
        ]
        for (files, message) in cases {
            try expectRefusal(Refusal(tool: "exp-merge", arguments: ["--json", "merged.json"] + files, status: 65, message: message),
                              scratch: scratch)
        }
        // The matching pair merges.
        let merged = try CLI.run("exp-merge", ["--json", "merged.json", "d-seed1-0.json", "d-seed1-1.json"], in: scratch.path)
        #expect(merged?.status == 0)
        #expect(scratch.contents.contains("merged.json"))
    }

    // MARK: interrupted runs

    /// A run long enough to be interrupted: 10⁷ trials (400,000 blocks of 25), part 1 only.
    static let longRun = ["--no-attention", "--trials", "10000000", "--threads", "2", "--quiet", "--json", "out.json",
                          "--csv", "out.csv", "--timings", "timings.json"]

    @Test("SIGINT and SIGTERM during a run: exit 130, the interrupted line, no output and no temporary file",
          arguments: [SIGINT, SIGTERM])
    func interrupted(signal number: Int32) throws {
        let scratch = try CLIScratch()
        guard let started = try CLI.start("exp-distortion", Self.longRun, in: scratch.path) else { return }
        usleep(2_000_000)  // margin for a slow (sanitized, loaded) start before the handler is installed
        #expect(started.0.isRunning, "the long run ended within 2 s")
        kill(started.0.processIdentifier, number)
        let outcome = CLI.finish(started, timeout: 60)
        #expect(outcome.status == 130 && !outcome.signalled, "status \(outcome.status), stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains("error: interrupted: no output files were written"))
        #expect(outcome.standardOutput.isEmpty)
        #expect(scratch.contents == [], "left behind: \(scratch.contents)")
    }

    @Test("SIGKILL during a run: no target file and no .NAME.tmp-* (outputs are written only at the end)")
    func killed() throws {
        let scratch = try CLIScratch()
        guard let started = try CLI.start("exp-distortion", Self.longRun, in: scratch.path) else { return }
        usleep(2_000_000)
        #expect(started.0.isRunning)
        kill(started.0.processIdentifier, SIGKILL)
        let outcome = CLI.finish(started, timeout: 30)
        #expect(outcome.signalled && outcome.status == SIGKILL)
        #expect(scratch.contents == [], "left behind: \(scratch.contents)")
    }

    @Test("a run that is not interrupted writes exactly its outputs and no temporary file")
    func completes() throws {
        let scratch = try CLIScratch()
        guard let outcome = try CLI.run("exp-distortion", quickDistortion + ["--trials", "50", "--json", "out.json", "--csv", "out.csv"],
                                        in: scratch.path) else { return }
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(scratch.contents == ["out.csv", "out.json"])
    }
}

/// `.npy` bytes for the CLI data-error files.
enum JLNumpyBytes {
    static func matrix(rows: Int, columns: Int, values: [Float]) throws -> [UInt8] {
        try NpyArray(shape: [rows, columns], values: values).npyBytes()
    }
}
