import JLRandom

/// A Monte Carlo experiment run by the harness: a block of trials maps to an `Accumulator`,
/// and the accumulators of all blocks, in block order, map to a `Report`.
///
/// The experiment value *is* its parameters (dimensions, transform specs, …): it is encoded
/// under `"parameters"` in every JSON output, and `exp-merge` decodes it back to finalize.
///
/// Determinism design (what makes `--threads` and `--shard` invisible in the output):
/// ```
/// trial t   : stream = RandomStream(seed).child(name).child(t)
/// block b   : trials b·blockSize ..< min((b+1)·blockSize, trials), run in order by one task
/// shard i/n : the blocks b with b mod n == i
/// report    = finalize([acc_0, acc_1, …, acc_{B-1}])            (always in block order)
/// ```
/// Accumulators pass through their JSON encoding before `finalize` in every run, so a merged
/// run sees bit-identical values to an unsharded one.
///
/// Requirements: `runBlock` must depend only on `self`, the block and the streams (no shared
/// mutable state, no clock); `Accumulator` and `Report` must encode deterministically (no
/// dictionaries with non-String keys, no `Date`).
public protocol Experiment: Codable, Sendable {
    /// What one block of trials produces (counts, sums, …).
    associatedtype Accumulator: Codable & Sendable
    /// The final result, written under `"report"` in the JSON output.
    associatedtype Report: Codable & Sendable

    /// The experiment name, e.g. `exp-distortion`; also the RNG label `child(name)`.
    static var name: String { get }
    /// Trials per block (≥ 1). Changing it changes the block boundaries, not the trial streams.
    static var blockSize: Int { get }
    /// The trial count when `--trials` is not given.
    static var defaultTrials: Int { get }

    /// Transform specs recorded in the manifest (default: none).
    var transformSpecs: [String] { get }

    /// Runs the trials of one block in increasing order and accumulates them.
    func runBlock(_ block: TrialBlock) throws(ExperimentError) -> Accumulator

    /// Combines the accumulators of all blocks, given in block order `0..<blockCount`.
    func finalize(_ blocks: [Accumulator], manifest: RunManifest) throws(ExperimentError) -> Report

    /// The table printed on stdout.
    func table(for report: Report, manifest: RunManifest) -> TextTable

    /// The `--csv` table (default: the cells of ``table(for:manifest:)``).
    func csv(for report: Report, manifest: RunManifest) -> CSVTable

    /// The `--plot` SVG document, or `nil` if the experiment draws no figure (default `nil`).
    func plot(for report: Report, manifest: RunManifest) -> String?
}

extension Experiment {
    public var transformSpecs: [String] { [] }

    public func csv(for report: Report, manifest: RunManifest) -> CSVTable {
        CSVTable(table(for: report, manifest: manifest))
    }

    public func plot(for report: Report, manifest: RunManifest) -> String? { nil }
}

/// One block of consecutive trials handed to ``Experiment/runBlock(_:)``.
public struct TrialBlock: Sendable {
    /// The block index `b`.
    public let index: Int
    /// The trial indices of the block, `b·blockSize ..< min((b+1)·blockSize, trials)`.
    public let trials: Range<Int>
    /// The precision requested with `--precision`.
    public let precision: Precision
    /// `RandomStream(seed: seed).child(experimentName)`.
    public let experimentStream: RandomStream

    /// A block (the harness makes these; public for tests of experiments).
    public init(index: Int, trials: Range<Int>, precision: Precision, experimentStream: RandomStream) {
        self.index = index
        self.trials = trials
        self.precision = precision
        self.experimentStream = experimentStream
    }

    /// The stream of trial `trial`: `RandomStream(seed).child(name).child(UInt64(trial))`.
    /// - Complexity: one Philox block.
    public func stream(forTrial trial: Int) -> RandomStream {
        assert(trial >= 0, "trial indices are non-negative")
        return experimentStream.child(UInt64(truncatingIfNeeded: trial))
    }

    /// Whether the run was interrupted; long blocks may poll it and return early (their result is
    /// discarded).
    public var isCancelled: Bool { Task.isCancelled }
}
