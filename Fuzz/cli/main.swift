// libFuzzer target: the shared experiment options (CommonOptions, ShardSpec) must turn every
// argument vector into validated RunSettings or a thrown error, never a trap.
// Built by Scripts/fuzz against a fuzzer-instrumented `swift build` of JLExperimentKit.
//
// Input format: the bytes split at '\n' are the arguments (so corpus files are readable:
// one argument per line); at most `maximumArguments` of them are used.

import ArgumentParser
import JLExperimentKit

/// Arguments beyond this are dropped (a real command line is short; keeps each run fast).
let maximumArguments = 48

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    // Invalid UTF-8 is repaired, as CommandLine.arguments does for a real argv.
    let arguments = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        .prefix(maximumArguments)
        .map { String(decoding: $0, as: UTF8.self) }

    // ShardSpec.parse on every argument on its own (it is also reached through --shard).
    for argument in arguments {
        if let shard = try? ShardSpec.parse(argument) {
            checkInvariant(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count, "shard out of range")
            checkInvariant((try? ShardSpec.parse(shard.description)) == shard, "shard description does not round-trip")
            checkInvariant(shard.owns(block: shard.index), "shard does not own its own index")
        }
    }

    do {
        let options = try CommonOptions.parse(arguments)  // runs validate()
        try options.validate()
        let settings = try options.settings()
        checkInvariant(settings.trials.map { $0 >= 1 } ?? true, "trials < 1 accepted")
        checkInvariant(settings.threads >= 1, "threads < 1 accepted")
        if let shard = settings.shard {
            checkInvariant(shard.index >= 0 && shard.index < shard.count, "shard out of range accepted")
            checkInvariant(settings.jsonPath != nil, "--shard without --json accepted")
            checkInvariant(settings.csvPath == nil && settings.plotPath == nil, "--shard with --csv/--plot accepted")
            if let trials = settings.trials { checkInvariant(shard.count <= trials, "more shards than trials accepted") }
        }
        let paths = [settings.jsonPath, settings.csvPath, settings.plotPath, settings.timingsPath].compactMap { $0 }
        checkInvariant(Set(paths).count == paths.count, "two outputs with the same path accepted")
        checkInvariant(!paths.contains(""), "empty output path accepted")
    } catch let error as ExperimentError {
        checkInvariant(!error.description.contains(where: \.isNewline), "multi-line ExperimentError message")
        _ = error.exitStatus
    } catch {
        // ArgumentParser's own errors (unknown option, bad value, --help): formatting them must not trap.
        // (fullMessage(for:), which renders the whole usage text, is left out: it costs more than the parse.)
        _ = CommonOptions.message(for: error)
        _ = CommonOptions.exitCode(for: error)
    }
    return 0
}

/// Traps (so libFuzzer records a crash) when a promised invariant does not hold.
/// (fatalError is right here: this is the harness, and a trap is how it reports a finding.)
func checkInvariant(_ condition: @autoclosure () -> Bool, _ message: StaticString) {
    if !condition() { fatalError("invariant violated: \(message)") }
}
