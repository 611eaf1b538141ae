import ArgumentParser
import Foundation

/// Floating-point precision an experiment computes in.
public enum Precision: String, Codable, Sendable, CaseIterable, ExpressibleByArgument {
    /// IEEE 754 binary32 (`Float`).
    case float
    /// IEEE 754 binary64 (`Double`).
    case double
}

/// A `--shard i/n` value: this run computes the blocks `b` with `b mod n == i`.
///
/// Shards are **0-based**, `0 ≤ i < n`, so a Slurm array `--array=0-(n-1)` maps directly:
/// `--shard ${SLURM_ARRAY_TASK_ID}/n`.
///
/// ```
/// owns(b)  ⇔  b mod count == index
/// ```
public struct ShardSpec: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The 0-based shard index `i`.
    public let index: Int
    /// The number of shards `n`.
    public let count: Int

    /// A shard; throws unless `count ≥ 1` and `0 ≤ index < count`.
    public init(index: Int, count: Int) throws(ExperimentError) {
        let spec = "\(index)/\(count)"
        guard count >= 1 else { throw .invalidShard(spec: spec, reason: "shard count must be ≥ 1") }
        guard index >= 0 else { throw .invalidShard(spec: spec, reason: "shard index must be ≥ 0") }
        guard index < count else {
            throw .invalidShard(
                spec: spec,
                reason: "shard index \(index) must be < shard count \(count) (shards are 0-based: 0/\(count) … \(count - 1)/\(count), like Slurm --array=0-\(count - 1))")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n` (decimal digits only, no signs or spaces).
    /// - Complexity: O(length of `text`).
    public static func parse(_ text: String) throws(ExperimentError) -> ShardSpec {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.count == 2, isDigits(parts[0]), isDigits(parts[1]),
              let index = Int(parts[0]), let count = Int(parts[1])
        else {
            throw .invalidShard(spec: text, reason: "expected i/n with whole numbers 0 ≤ i < n, e.g. 0/4")
        }
        do {
            return try ShardSpec(index: index, count: count)
        } catch {
            if case let .invalidShard(_, reason) = error { throw .invalidShard(spec: text, reason: reason) }
            throw error
        }
    }

    /// Whether this shard computes block `block`.
    public func owns(block: Int) -> Bool { block % count == index }

    public var description: String { "\(index)/\(count)" }
}

/// The options every experiment executable shares; include with `@OptionGroup var common: CommonOptions`.
///
/// Determinism contract: the JSON output depends only on the experiment's parameters, `--seed`,
/// `--trials` and `--precision` (plus the toolkit version, git revision and BLAS build recorded in
/// the manifest). It does **not** depend on `--threads` or `--shard`: the thread count is reported
/// on stderr and in `--timings` only, and the options `--shard --threads --json --csv --plot
/// --timings --quiet --overwrite` are removed from the command line recorded in the manifest.
public struct CommonOptions: ParsableArguments, Sendable {
    /// The default master seed, 20240603: the arXiv submission date (2024-06-03) of the QJL
    /// paper, arXiv 2406.03482.
    public static let defaultSeed: UInt64 = 20_240_603

    @Option(help: "Master seed; trial t uses RandomStream(seed).child(<experiment>).child(t).")
    public var seed: UInt64 = CommonOptions.defaultSeed

    @Option(help: "Number of trials (default: the experiment's own).")
    public var trials: Int?

    @Option(help: "Blocks of trials computed in parallel (default: active processor count). Does not change results.")
    public var threads: Int?

    @Option(help: "Compute only shard i of n (0-based, 0 ≤ i < n; Slurm: --array=0-(n-1)). Needs --json; combine with exp-merge.")
    public var shard: String?

    @Option(help: "Floating-point precision: float or double.")
    public var precision: Precision = .double

    @Option(help: "Write results and manifest as JSON (for a shard: the shard file).")
    public var json: String?

    @Option(help: "Write the result table as CSV.")
    public var csv: String?

    @Option(help: "Write the experiment's figure as SVG.")
    public var plot: String?

    @Option(help: "Write wall-clock timings and the thread count as JSON (not reproducible by nature).")
    public var timings: String?

    @Flag(help: "No progress output on stderr.")
    public var quiet = false

    @Flag(help: "Replace existing output files (without it they are refused before the run starts).")
    public var overwrite = false

    public init() {}

    /// Checks every value and combination; ArgumentParser reports failures with exit status 64.
    public func validate() throws {
        do {
            _ = try settings()
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The validated settings of a run.
    /// - Throws: ``ExperimentError/invalidOption(_:)`` or ``ExperimentError/invalidShard(spec:reason:)``.
    public func settings() throws(ExperimentError) -> RunSettings {
        if let trials, trials < 1 { throw .invalidOption("--trials must be ≥ 1, got \(trials)") }
        if let threads, threads < 1 { throw .invalidOption("--threads must be ≥ 1, got \(threads)") }
        let shardSpec = try shard.map { (text) throws(ExperimentError) in try ShardSpec.parse(text) }
        if let shardSpec {
            if let trials, shardSpec.count > trials {
                throw .invalidOption("--shard \(shardSpec): \(shardSpec.count) shards for \(trials) trials leaves some shards empty; use at most \(trials)")
            }
            guard json != nil else {
                throw .invalidOption("--shard needs --json FILE: the shard file is what exp-merge combines")
            }
            if csv != nil || plot != nil {
                throw .invalidOption("--csv and --plot need the full result: run exp-merge on the shard files and pass them there")
            }
        }
        let outputs = [("--json", json), ("--csv", csv), ("--plot", plot), ("--timings", timings)]
            .compactMap { name, path in path.map { (name, $0) } }
        for (position, output) in outputs.enumerated() {
            if output.1.isEmpty { throw .invalidOption("\(output.0) needs a file path") }
            if let clash = outputs[..<position].first(where: { $0.1 == output.1 }) {
                throw .invalidOption("\(clash.0) and \(output.0) name the same file '\(output.1)'")
            }
        }
        return RunSettings(
            seed: seed, trials: trials,
            threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
            shard: shardSpec, precision: precision,
            jsonPath: json, csvPath: csv, plotPath: plot, timingsPath: timings,
            quiet: quiet, overwrite: overwrite)
    }
}

/// Validated, resolved run settings (what ``CommonOptions`` parses to).
public struct RunSettings: Sendable, Equatable {
    /// The master seed.
    public var seed: UInt64
    /// The number of trials, or `nil` for the experiment's ``Experiment/defaultTrials``.
    public var trials: Int?
    /// The maximum number of blocks computed at once (≥ 1).
    public var threads: Int
    /// The shard this run computes, or `nil` for all blocks.
    public var shard: ShardSpec?
    /// The floating-point precision.
    public var precision: Precision
    /// Output paths.
    public var jsonPath: String?, csvPath: String?, plotPath: String?, timingsPath: String?
    /// Whether progress output is suppressed.
    public var quiet: Bool
    /// Whether existing output files may be replaced.
    public var overwrite: Bool

    /// Settings with every field given; prefer ``CommonOptions/settings()``, which validates.
    public init(
        seed: UInt64 = CommonOptions.defaultSeed, trials: Int? = nil, threads: Int = 1,
        shard: ShardSpec? = nil, precision: Precision = .double,
        jsonPath: String? = nil, csvPath: String? = nil, plotPath: String? = nil, timingsPath: String? = nil,
        quiet: Bool = true, overwrite: Bool = false
    ) {
        self.seed = seed
        self.trials = trials
        self.threads = threads
        self.shard = shard
        self.precision = precision
        self.jsonPath = jsonPath
        self.csvPath = csvPath
        self.plotPath = plotPath
        self.timingsPath = timingsPath
        self.quiet = quiet
        self.overwrite = overwrite
    }
}
