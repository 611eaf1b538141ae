import ArgumentParser
import JLRandom

/// Where an experiment's keys and query come from.
public enum AttentionInputSource: Sendable, Equatable {
    /// ``LLMLikeKeyModel`` keys (n of them) drawn from the experiment's input stream.
    case synthetic(LLMLikeKeyModel, keyCount: Int)
    /// Real keys and queries from `.npy` files: one head, one query token, the first n keys.
    case real(RealAttentionData, head: Int, queryToken: Int?, keyCount: Int?)

    /// The keys and query (synthetic ones from `stream`).
    /// - Throws: ``InputError``.
    /// - Complexity: O(n·d).
    public func input(dimension d: Int, stream: RandomStream) throws(InputError) -> AttentionInput {
        switch self {
        case let .synthetic(model, keyCount):
            return try model.sample(count: keyCount, dimension: d, stream: stream)
        case let .real(data, head, queryToken, keyCount):
            return try data.attentionInput(head: head, queryToken: queryToken, keyCount: keyCount)
        }
    }

    /// A one-line description for manifests and tables, e.g. `llm-like(n=256, outliers=4×10…30)`
    /// or `keys_layer3.npy head 2 (n=512, d=32), query token 511`.
    public var summary: String {
        switch self {
        case let .synthetic(model, keyCount):
            "llm-like(n=\(keyCount), mean=\(model.meanLength.map { "\($0)" } ?? "√d"), outliers=\(model.outlierChannels)×\(model.outlierScaleMin)…\(model.outlierScaleMax))"
        case let .real(data, head, queryToken, keyCount):
            "\(data.keysPath.split(separator: "/").last ?? "") head \(head) (n=\(keyCount ?? data.keyTokenCount), d=\(data.dimension)), query token \(queryToken ?? data.queryTokenCount - 1)"
        }
    }
}

/// The input options every experiment shares; include with `@OptionGroup var inputs: InputOptions`.
///
/// Without `--keys/--queries` the keys are synthetic (``LLMLikeKeyModel``, options `--llm-…`);
/// with them, real data from `.npy` files of shape (heads, tokens, d) or (tokens, d).
public struct InputOptions: ParsableArguments, Sendable {
    @Option(help: "Real keys: .npy of shape (heads, tokens, d) or (tokens, d). Needs --queries.")
    public var keys: String?

    @Option(help: "Real queries: .npy with the same layout, heads and d as --keys.")
    public var queries: String?

    @Option(help: "Head of the real data to use (0-based).")
    public var head: Int = 0

    @Option(name: .customLong("query-token"), help: "Query token of the real data (default: the last).")
    public var queryToken: Int?

    @Option(name: .customLong("key-count"), help: "Number of keys n (synthetic default 256; real data: the first n tokens, default all).")
    public var keyCount: Int?

    @Option(name: .customLong("llm-mean-length"), help: "Synthetic keys: length of the shared mean vector in noise units (default √d).")
    public var meanLength: Double?

    @Option(name: .customLong("llm-outlier-channels"), help: "Synthetic keys: number of large outlier channels.")
    public var outlierChannels: Int = 4

    @Option(name: .customLong("llm-outlier-scale-min"), help: "Synthetic keys: scale of the smallest outlier channel.")
    public var outlierScaleMin: Double = 10

    @Option(name: .customLong("llm-outlier-scale-max"), help: "Synthetic keys: scale of the largest outlier channel.")
    public var outlierScaleMax: Double = 30

    @Option(name: .customLong("llm-query-mean-weight"), help: "Synthetic keys: weight of the shared mean in the query.")
    public var queryMeanWeight: Double = 1

    /// The synthetic default n.
    public static let defaultSyntheticKeyCount = 256

    public init() {}

    /// Cheap checks ArgumentParser runs before the command (exit 64).
    public func validate() throws {
        if (keys == nil) != (queries == nil) { throw ValidationError(InputError.incompleteRealData.description) }
        if let keyCount, keyCount < 1 { throw ValidationError("--key-count must be ≥ 1, got \(keyCount)") }
        if head < 0 { throw ValidationError("--head must be ≥ 0, got \(head)") }
        if let queryToken, queryToken < 0 { throw ValidationError("--query-token must be ≥ 0, got \(queryToken)") }
    }

    /// The synthetic key model from the `--llm-…` options.
    public var keyModel: LLMLikeKeyModel {
        LLMLikeKeyModel(meanLength: meanLength, outlierChannels: outlierChannels,
                        outlierScaleMin: outlierScaleMin, outlierScaleMax: outlierScaleMax,
                        queryMeanWeight: queryMeanWeight)
    }

    /// Whether real data was requested.
    public var usesRealData: Bool { keys != nil || queries != nil }

    /// Resolves the options: loads and validates real data (for dimension checks the caller uses
    /// the data's d), or checks the synthetic model against `dimension`.
    /// - Throws: ``InputError`` (map with ``InputError/experimentError`` for exit codes 64/65).
    /// - Complexity: O(file sizes) for real data.
    public func source(dimension: Int) throws(InputError) -> AttentionInputSource {
        switch (keys, queries) {
        case let (keys?, queries?):
            let data = try RealAttentionData(keysPath: keys, queriesPath: queries)
            _ = try data.attentionInput(head: head, queryToken: queryToken, keyCount: keyCount)  // index checks now
            return .real(data, head: head, queryToken: queryToken, keyCount: keyCount)
        case (nil, nil):
            try keyModel.validate(dimension: dimension)
            let n = keyCount ?? Self.defaultSyntheticKeyCount
            guard n >= 1 else { throw .invalidParameter("--key-count must be ≥ 1, got \(n)") }
            return .synthetic(keyModel, keyCount: n)
        default:
            throw .incompleteRealData
        }
    }
}
