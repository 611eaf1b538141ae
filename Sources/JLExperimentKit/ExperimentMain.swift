import ArgumentParser
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Entry points for experiment executables and `exp-merge`: run, print, write, map errors to
/// ``ExperimentExitStatus`` and handle SIGINT/SIGTERM.
public enum ExperimentMain {
    /// Runs `experiment` with `options` as a command-line tool.
    ///
    /// Prints the table (or the shard summary) on stdout, progress on stderr, writes the output
    /// files atomically. On error prints `error: <one line>` on stderr and throws the matching
    /// ArgumentParser `ExitCode`. SIGINT/SIGTERM cancel the run: no output file is written and the
    /// exit status is 130; a second SIGINT kills the process at once.
    /// - Throws: `ExitCode` (from ``ExperimentExitStatus``).
    public static func run<E: Experiment>(_ experiment: E, options: CommonOptions, arguments: [String] = CommandLine.arguments) async throws {
        let settings: RunSettings
        do {
            settings = try options.settings()
        } catch {
            throw report(error)
        }
        let session = ExperimentSession(experiment: experiment, settings: settings, arguments: arguments)
        let result = await withInterruptHandling { () async -> Result<SessionOutcome, ExperimentError> in
            do throws(ExperimentError) {
                return .success(try await session.execute(progress: .automatic))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case let .success(outcome):
            print(outcome.standardOutput, terminator: "")
        case let .failure(error):
            throw report(error)
        }
    }

    /// Merges shard files as the `exp-merge` tool: writes the report to `jsonPath` (byte-identical
    /// to the unsharded run's `--json`), optionally CSV and SVG, and prints the table on stdout.
    /// - Throws: `ExitCode` (from ``ExperimentExitStatus``).
    public static func merge(
        files: [String], jsonPath: String?, csvPath: String? = nil, plotPath: String? = nil,
        overwrite: Bool = false, registry: ExperimentRegistry
    ) async throws {
        do throws(ExperimentError) {
            let outputs = [jsonPath, csvPath, plotPath].compactMap { $0 }
            guard Set(outputs).count == outputs.count else { throw .invalidOption("two output options name the same file") }
            for path in outputs { try OutputCheck.check(path, overwrite: overwrite) }
            var inputs: [ShardInput] = []
            for path in files { inputs.append(try ShardInput(path: path)) }
            let outcome = try registry.merge(inputs)
            if let jsonPath { try writeFileAtomically(Array(outcome.json), to: jsonPath, overwrite: overwrite) }
            if let csvPath { try writeFileAtomically(Array(outcome.csv.utf8), to: csvPath, overwrite: overwrite) }
            if let plotPath {
                guard let svg = outcome.svg else { throw .invalidOption("--plot: \(outcome.experiment) draws no figure") }
                try writeFileAtomically(Array(svg.utf8), to: plotPath, overwrite: overwrite)
            }
            print(outcome.table, terminator: "")
        } catch {
            throw report(error)
        }
    }

    /// Prints `error: <message>` on stderr and returns the exit code to throw.
    public static func report(_ error: ExperimentError) -> ExitCode {
        StandardError.write("error: \(error.description)\n")
        return error.exitStatus.exitCode
    }

    /// Runs `work` in a task that SIGINT and SIGTERM cancel. The first signal cancels; after it
    /// SIGINT is reset to its default action, so a second Ctrl-C ends the process immediately.
    static func withInterruptHandling<Value: Sendable>(
        _ work: @escaping @Sendable () async -> Value
    ) async -> Value {
        let task = Task { await work() }
        let signals: [Int32] = [SIGINT, SIGTERM]
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)  // delivery goes to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                StandardError.write("\ninterrupted: stopping (press Ctrl-C again to kill)\n")
                signal(SIGINT, SIG_DFL)
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        let value = await task.value
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
        return value
    }
}
