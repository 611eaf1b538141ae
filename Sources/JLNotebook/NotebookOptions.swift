import ArgumentParser

/// The command line every notebook executable shares.
///
/// ```
/// nb-XX [--out DIR] [--quick] [--seed N]
///   --out DIR   where <name>.md and <name>-<figure>.svg go (default .build/notebooks, created if missing)
///   --quick     small sizes and few trials: every notebook runs in seconds (CI)
///   --seed N    master seed of every random stream (default 20240603)
/// ```
/// Determinism: the rendered bytes depend only on `--quick` and `--seed` (not on `--out`).
/// - Complexity: O(arguments) to parse.
/// - Source: apple/swift-argument-parser (`ParsableArguments`).
public struct NotebookOptions: ParsableArguments, Sendable {
    /// The default master seed, 20240603: the arXiv submission date of QJL (arXiv 2406.03482).
    public static let defaultSeed: UInt64 = 20_240_603

    /// Output directory (created with its missing parents).
    @Option(help: "Output directory for the Markdown and SVG files (created if missing).")
    public var out: String = ".build/notebooks"

    /// Small sizes and trial counts, for CI.
    @Flag(help: "Small sizes and few trials, so the notebook runs in a few seconds (CI).")
    public var quick = false

    /// Master seed.
    @Option(help: "Master seed of every random stream in the notebook.")
    public var seed: UInt64 = NotebookOptions.defaultSeed

    public init() {}

    /// Options with every field given (for tests and programmatic runs).
    public init(out: String, quick: Bool = false, seed: UInt64 = NotebookOptions.defaultSeed) {
        self.out = out
        self.quick = quick
        self.seed = seed
    }

    /// Rejects an empty `--out`.
    public func validate() throws {
        if out.isEmpty { throw ValidationError("--out needs a directory path") }
    }

    /// `full` when not quick, `quick` otherwise; convenient for choosing sizes:
    ///
    /// ```
    /// let trials = nb.options.pick(full: 4000, quick: 200)
    /// ```
    /// - Complexity: O(1).
    /// - Source: —
    public func pick<Value>(full: Value, quick quickValue: Value) -> Value { quick ? quickValue : full }
}
