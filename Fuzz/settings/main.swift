// libFuzzer target: CommonOptions.settings() (the validation our experiments add on top of
// ArgumentParser) and ShardSpec.parse, at full speed. The `cli` target reaches the same code
// through CommonOptions.parse, but ArgumentParser rebuilds its argument set by reflection on every
// parse (milliseconds under ASan); here the option values are set directly, so each run costs
// microseconds and millions of value combinations are checked.
//
// Input format: fields separated by '\n', in order
//   seed (decimal or anything), trials, threads, shard, precision, json, csv, plot, timings, flags
// A missing or empty field leaves the option unset (nil / default) — except json…timings, where a
// field that is present but empty sets an empty path (which settings() must reject).
// flags: 'q' anywhere sets --quiet, 'o' sets --overwrite.

import JLExperimentKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let fields = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        .prefix(10).map { String(decoding: $0, as: UTF8.self) }
    func field(_ index: Int) -> String? { index < fields.count ? fields[index] : nil }
    func nonEmpty(_ index: Int) -> String? { field(index).flatMap { $0.isEmpty ? nil : $0 } }

    var options = CommonOptions()  // property wrappers set directly, as ArgumentParser would after parsing
    options.seed = nonEmpty(0).flatMap { UInt64($0) } ?? CommonOptions.defaultSeed
    options.trials = nonEmpty(1).flatMap { Int($0) }
    options.threads = nonEmpty(2).flatMap { Int($0) }
    options.shard = nonEmpty(3)
    options.precision = nonEmpty(4).flatMap { Precision(rawValue: $0) } ?? .double
    options.json = field(5)
    options.csv = field(6)
    options.plot = field(7)
    options.timings = field(8)
    let flags = field(9) ?? ""
    options.quiet = flags.contains("q")
    options.overwrite = flags.contains("o")

    if let text = options.shard, let shard = try? ShardSpec.parse(text) {
        checkInvariant(shard.count >= 1 && shard.index >= 0 && shard.index < shard.count, "shard out of range")
        checkInvariant((try? ShardSpec.parse(shard.description)) == shard, "shard description does not round-trip")
        checkInvariant(shard.owns(block: shard.index) && !shard.owns(block: shard.index + 1) || shard.count == 1, "owns() wrong")
    }

    do {
        let settings = try options.settings()
        checkInvariant(settings.seed == options.seed && settings.precision == options.precision, "value changed")
        checkInvariant(settings.trials.map { $0 >= 1 } ?? true, "trials < 1 accepted")
        checkInvariant(settings.threads >= 1, "threads < 1 accepted")
        if let shard = settings.shard {
            checkInvariant(shard.index >= 0 && shard.index < shard.count, "shard out of range accepted")
            checkInvariant(settings.jsonPath != nil, "--shard without --json accepted")
            checkInvariant(settings.csvPath == nil && settings.plotPath == nil, "--shard with --csv/--plot accepted")
            if let trials = settings.trials { checkInvariant(shard.count <= trials, "more shards than trials accepted") }
        } else {
            checkInvariant(options.shard == nil, "a --shard value was dropped")
        }
        let paths = [settings.jsonPath, settings.csvPath, settings.plotPath, settings.timingsPath].compactMap { $0 }
        checkInvariant(Set(paths).count == paths.count, "two outputs with the same path accepted")
        checkInvariant(!paths.contains(""), "empty output path accepted")
        // validate() is settings() seen through ArgumentParser: it must agree.
        checkInvariant((try? options.validate()) != nil, "validate() rejects what settings() accepts")
    } catch {
        checkInvariant(!error.description.contains(where: \.isNewline), "multi-line ExperimentError message")
        checkInvariant(error.exitStatus == .usage, "option error without exit status 64")
        checkInvariant((try? options.validate()) == nil, "validate() accepts what settings() rejects")
    }
    return 0
}

/// Traps (so libFuzzer records a crash) when a promised invariant does not hold.
/// (fatalError is right here: this is the harness, and a trap is how it reports a finding.)
func checkInvariant(_ condition: @autoclosure () -> Bool, _ message: StaticString) {
    if !condition() { fatalError("invariant violated: \(message)") }
}
