import QJL

/// The settings of the runtime study (arXiv 2406.03482 Fig. 3 in v2 / Fig. 4 AAAI, on CPU;
/// the QJL and value settings of the official `plot_runtime.py`, theory.md §1.8, §3.6).
///
/// ```
/// per length n:  K, V ∈ R^{n×d} i.i.d. N(0, 1) (Float), queries and new tokens N(0, 1)
/// exact:  K, V kept in fp32;          generate: ℓ = K q/√d (sgemv), w = softmax(ℓ), o = Vᵀ w (sgemv)
/// QJL:    keys sign(S k) m bits + ‖k‖ per key in groups of G, B recent keys/values in fp32,
///         values b_v bits per channel in groups of g_v (per token)
/// KIVI:   keys per channel, values per token, both b bits in groups of G / g, R recent in fp32
/// quantize = prefill of the n prompt tokens into an empty cache
/// generate = append one (k, v) pair + score + softmax + weighted values, one query
/// ```
/// - Complexity: O(1) (a value type).
public struct RuntimeConfiguration: Codable, Sendable, Equatable {
    /// Sequence lengths n (prompt tokens), ascending.
    public var lengths: [Int]
    /// Head dimension d.
    public var headDimension: Int = 128
    /// QJL sketch dimension m.
    public var sketchDimension: Int = 256
    /// QJL outlier channels per group (0 as in `plot_runtime.py`).
    public var outlierCount: Int = 0
    /// Key group size G (QJL and KIVI).
    public var keyGroupSize: Int = 32
    /// Full-precision buffer B (QJL) and residual R (KIVI).
    public var bufferSize: Int = 128
    /// Value bits b_v (QJL) and KIVI's key and value bits.
    public var valueBits: Int = 2
    /// Value group size g along d.
    public var valueGroupSize: Int = 32
    /// How QJL scores the sign bits.
    public var scoringPath: ScoringPath
    /// Threads for OpenBLAS and QJL scoring.
    public var threads: Int
    /// Timed repetitions per measurement (the median is reported).
    public var repeats: Int
    /// Untimed warm-up repetitions before the timed ones.
    public var warmups: Int
    /// Seed of the synthetic keys, values and queries and of S.
    public var seed: UInt64

    /// The default lengths 1024, 2048, …, 131072 (2^10 … 2^17).
    public static let fullLengths = (10...17).map { 1 << $0 }
    /// The `--quick` lengths 1024 … 8192.
    public static let quickLengths = (10...13).map { 1 << $0 }
    /// `.vectorized` where its AVX-512 kernel runs, else `.lookupTable`.
    public static var defaultScoringPath: ScoringPath {
        QJLScoring.vectorizedKernelAvailable ? .vectorized : .lookupTable
    }

    /// Validated settings.
    /// - Throws: ``RuntimeError/invalidLength(length:requirement:)`` for n ≤ 0, n not a multiple
    ///   of B (so the prompt fills whole buffers and every timed generate step stays within one
    ///   buffer), duplicate lengths; ``RuntimeError/invalidOption(name:value:requirement:)`` for
    ///   threads < 1, repeats < 1, warmups < 0, or warmups + repeats ≥ B (generated tokens must
    ///   not reach a buffer flush, which happens once per B tokens and is timed separately by
    ///   nobody: see docs/performance.md).
    /// - Complexity: O(number of lengths).
    public init(
        lengths: [Int], scoringPath: ScoringPath = RuntimeConfiguration.defaultScoringPath,
        threads: Int = 1, repeats: Int = 5, warmups: Int = 1, outlierCount: Int = 0, seed: UInt64 = 20_240_603
    ) throws(RuntimeError) {
        guard !lengths.isEmpty else { throw .unparsableLengths("") }
        for n in lengths {
            guard n > 0 else { throw .invalidLength(length: n, requirement: "positive") }
            guard n % bufferSize == 0 else {
                throw .invalidLength(length: n, requirement: "a multiple of the buffer size \(bufferSize) (and so of the group size \(keyGroupSize))")
            }
        }
        guard Set(lengths).count == lengths.count else {
            throw .invalidLength(length: lengths.first { n in lengths.filter { $0 == n }.count > 1 } ?? 0,
                                 requirement: "listed once")
        }
        guard threads >= 1 else { throw .invalidOption(name: "--threads", value: threads, requirement: "≥ 1") }
        guard repeats >= 1 else { throw .invalidOption(name: "--repeats", value: repeats, requirement: "≥ 1") }
        guard warmups >= 0 else { throw .invalidOption(name: "--warmup", value: warmups, requirement: "≥ 0") }
        guard warmups + repeats < bufferSize else {
            throw .invalidOption(name: "--repeats", value: repeats,
                                 requirement: "< \(bufferSize - warmups) (warm-up + repeats < buffer size \(bufferSize))")
        }
        guard (0...(headDimension - 1)).contains(outlierCount) else {
            throw .invalidOption(name: "--outliers", value: outlierCount, requirement: "in 0...\(headDimension - 1)")
        }
        self.lengths = lengths.sorted()
        self.scoringPath = scoringPath
        self.threads = threads
        self.repeats = repeats
        self.warmups = warmups
        self.outlierCount = outlierCount
        self.seed = seed
    }

    /// Parses `--lengths`: comma-separated whole numbers (underscores and `k` = ×1024 allowed,
    /// e.g. `1k,2k,4096`).
    /// - Throws: ``RuntimeError/unparsableLengths(_:)``.
    /// - Complexity: O(text length).
    public static func parseLengths(_ text: String) throws(RuntimeError) -> [Int] {
        var lengths: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var token = String(part.filter { $0 != "_" && $0 != " " })
            var factor = 1
            if token.lowercased().hasSuffix("k") {
                factor = 1024
                token.removeLast()
            }
            guard !token.isEmpty, token.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }),
                  let value = Int(token), case let (product, overflow) = value.multipliedReportingOverflow(by: factor),
                  !overflow
            else { throw .unparsableLengths(text) }
            lengths.append(product)
        }
        return lengths
    }

    /// Parses `--scoring`: a `ScoringPath` raw value (`plain`, `lookupTable`, `vectorized`,
    /// `approximateInt8`) or `lookup-table` / `int8`.
    /// - Throws: ``RuntimeError/unknownValue(name:value:accepted:)``.
    public static func parseScoringPath(_ text: String) throws(RuntimeError) -> ScoringPath {
        switch text {
        case "lookup-table", "lookup": return .lookupTable
        case "int8", "approximate-int8": return .approximateInt8
        default:
            guard let path = ScoringPath(rawValue: text) else {
                throw .unknownValue(name: "--scoring", value: text, accepted: ScoringPath.allCases.map(\.rawValue))
            }
            return path
        }
    }
}
