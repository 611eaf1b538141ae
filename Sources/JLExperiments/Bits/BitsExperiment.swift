import Foundation
import JLExperimentKit
import JLKVCache
import JLLinearAlgebra
import JLRandom
import JLStatistics
import JLTransforms
import JLTurboQuant
import QJL

/// One key-cache configuration of `exp-bits`.
///
/// ```
/// qjl         OutlierSplitSketch, Gaussian S (m×d), derived constant (unbiased), groups of G tokens,
///             o outlier channels per group sketched with the first m_O rows; o = 0: plain QJL
/// kivi        KIVIKeyQuantizer: per-channel min–max at b bits over groups of G tokens, Float16 scale/min
/// turbo-mse   TurboQuantMSE at b bits (Haar rotation, Lloyd–Max codebook of the exact sphere-coordinate law)
/// turbo-prod  TurboQuantProd at b bits (b − 1 mse bits + 1-bit QJL with m = d on the residual)
/// ```
/// Sources: QJL arXiv 2406.03482; KIVI arXiv 2402.02750; TurboQuant arXiv 2504.19874 (theory.md §5).
public struct KeyCacheConfiguration: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The method family.
    public enum Method: String, Codable, Sendable, CaseIterable {
        case qjl
        case kivi
        case turboMSE = "turbo-mse"
        case turboProd = "turbo-prod"
    }

    public var method: Method
    /// Bits b (kivi, turbo-*); 0 for qjl.
    public var bits: Int
    /// m (qjl).
    public var sketchDimension: Int
    /// Outlier channels per group o and their sketch dimension m_O (qjl).
    public var outlierCount: Int
    public var outlierSketchDimension: Int
    /// Tokens per group G (qjl, kivi).
    public var groupSize: Int
    /// Norm precision (qjl, turbo-*).
    public var normPrecision: NormPrecision

    public init(method: Method, bits: Int = 0, sketchDimension: Int = 0, outlierCount: Int = 0,
                outlierSketchDimension: Int = 0, groupSize: Int = 0, normPrecision: NormPrecision = .float16) {
        self.method = method
        self.bits = bits
        self.sketchDimension = sketchDimension
        self.outlierCount = outlierCount
        self.outlierSketchDimension = outlierSketchDimension
        self.groupSize = groupSize
        self.normPrecision = normPrecision
    }

    /// The series a configuration belongs to in the plot.
    public var family: String {
        switch method {
        case .qjl: outlierCount > 0 ? "QJL + \(outlierCount) outliers" : "QJL"
        case .kivi: "KIVI G=\(groupSize)"
        case .turboMSE: "TurboQuant_mse"
        case .turboProd: "TurboQuant_prod"
        }
    }

    public var description: String {
        let norm = normPrecision == .float16 ? "" : ", \(normPrecision)"
        switch method {
        case .qjl:
            return outlierCount > 0 ? "qjl m=\(sketchDimension) o=\(outlierCount) mO=\(outlierSketchDimension)\(norm)"
                : "qjl m=\(sketchDimension)\(norm)"
        case .kivi: return "kivi b=\(bits) G=\(groupSize)"
        case .turboMSE: return "tq-mse b=\(bits)\(norm)"
        case .turboProd: return "tq-prod b=\(bits)\(norm)"
        }
    }
}

/// `exp-bits`: key-cache methods compared at equal total bits per coordinate (from each
/// container's `QJL/BitLedger`, padding, norms, scales and indices included).
///
/// Fixed keys K (n×d), query q and values V (n×d, iid N(0,1) from the seed, quantized once with
/// the same `JLKVCache/GroupwiseValueQuantizer` for every method); per trial a fresh seed for
/// the randomized methods (S, rotations). With a = Kq exact and â estimated:
/// ```
/// MSE/mean a²  = Σ_trials Σ_j (â_j − a_j)² / (trials · Σ_j a_j²)
/// bias/rms a   = mean over trials of (1/n)Σ_j (â_j − a_j), divided by √(Σ_j a_j²/n); 95% t interval
/// logit rel    = mean ‖â − a‖/‖a‖
/// p = softmax(τa), p̂ = softmax(τâ), τ = 1/√d (or 1): max_j |p̂_j − p_j|/p_j, TV = ½‖p̂ − p‖₁, KL(p‖p̂),
/// top-k recall = |top_k(p) ∩ top_k(p̂)|/k,   output error ‖p̂ V̂ − p V‖/‖p V‖
/// ```
public struct BitsExperiment: Experiment {
    public static let name = "exp-bits"
    public static let blockSize = 5
    public static let defaultTrials = 50

    /// Where the keys came from.
    public var source: String
    /// d and the fixed keys (row-major n×d) and query.
    public var inputDimension: Int
    public var keys: [Double]
    public var query: [Double]
    /// The configurations, in table order.
    public var configurations: [KeyCacheConfiguration]
    /// The value quantizer every method shares.
    public var valueBits: Int
    public var valueGroupSize: Int
    /// Whether logits are scaled by 1/√d before the softmax.
    public var inverseSquareRootTemperature: Bool
    /// k of the top-k recall.
    public var topK: Int

    /// n.
    public var tokenCount: Int { keys.count / inputDimension }

    /// Validates every configuration against the input.
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)` naming the bad value.
    public init(input: AttentionInput, source: String, configurations: [KeyCacheConfiguration], valueBits: Int = 2,
                valueGroupSize: Int = 32, inverseSquareRootTemperature: Bool = true, topK: Int = 8) throws(ExperimentError) {
        let d = input.dimension, n = input.tokenCount
        guard d >= 2 else { throw .invalidOption("exp-bits needs d ≥ 2, got \(d)") }
        guard !configurations.isEmpty else { throw .invalidOption("exp-bits needs at least one configuration") }
        guard (1...n).contains(topK) else { throw .invalidOption("--top-k must be in 1...n = 1...\(n), got \(topK)") }
        self.source = source
        self.inputDimension = d
        self.keys = input.keys
        self.query = input.query
        self.configurations = configurations
        self.valueBits = valueBits
        self.valueGroupSize = Swift.min(valueGroupSize, d)
        self.inverseSquareRootTemperature = inverseSquareRootTemperature
        self.topK = topK
        do throws(KVCacheError) {
            _ = try GroupwiseValueQuantizer(headDimension: d, groupSize: self.valueGroupSize, bits: valueBits)
        } catch { throw .invalidOption("--value-bits/--value-group-size: \(error.description)") }
        for configuration in configurations {
            switch configuration.method {
            case .qjl, .kivi:
                guard configuration.groupSize >= 1, n % configuration.groupSize == 0 else {
                    throw .invalidOption("\(configuration): group size G = \(configuration.groupSize) must divide n = \(n) (use --key-count or another --group-size)")
                }
            case .turboMSE, .turboProd: break
            }
        }
        // Build each once: surfaces every parameter error (bits, m, m_O, o) before the run.
        let books = try codebooks()
        let matrix = try keyMatrix(Double.self)
        for configuration in configurations {
            _ = try Self.estimate(configuration, keys: matrix, query: query, seed: 1, codebooks: books)
        }
    }

    /// The keys as an n×d matrix.
    func keyMatrix<Scalar: LinearAlgebraScalar>(_ type: Scalar.Type) throws(ExperimentError) -> Matrix<Scalar> {
        do { return try Matrix(rows: tokenCount, columns: inputDimension, elements: keys.map { Scalar($0) }) } catch {
            throw .internalFailure("keys: \(error)")
        }
    }

    /// The exact logits a = K q.
    var exactLogits: [Double] {
        (0..<tokenCount).map { j in (0..<inputDimension).reduce(0.0) { $0 + keys[j * inputDimension + $1] * query[$1] } }
    }

    /// The softmax temperature.
    var temperature: SoftmaxTemperature { inverseSquareRootTemperature ? .inverseSquareRootDimension(inputDimension) : .none }

    /// Estimated logits and the container's ledger for one configuration and seed.
    /// `codebooks` may hold precomputed sphere-law codebooks by bits (missing ones are computed).
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)` for parameters the container rejects.
    static func estimate<Scalar: LinearAlgebraScalar>(
        _ configuration: KeyCacheConfiguration, keys: Matrix<Scalar>, query: [Double], seed: UInt64,
        codebooks: [Int: LloydMaxCodebook]
    ) throws(ExperimentError) -> (logits: [Double], ledger: BitLedger) {
        let d = keys.columns, n = keys.rows
        let q = query.map { Scalar($0) }
        func fail(_ message: String) -> ExperimentError { .invalidOption("\(configuration): \(message)") }
        func codebook(_ bits: Int) throws(ExperimentError) -> LloydMaxCodebook {
            if let book = codebooks[bits] { return book }
            do { return try LloydMaxCodebook(law: .sphereCoordinate(dimension: d), bits: bits) } catch { throw fail(error.description) }
        }
        switch configuration.method {
        case .qjl:
            do throws(QJLError) {
                let transform: GaussianJL<Scalar>
                do { transform = try GaussianJL<Scalar>(inputDimension: d, sketchDimension: configuration.sketchDimension, seed: seed) } catch {
                    throw QJLError.transform(error)
                }
                let sketch = try OutlierSplitSketch(
                    keys: keys, transform: transform, groupSize: configuration.groupSize, outlierCount: configuration.outlierCount,
                    outlierSketchDimension: configuration.outlierSketchDimension, normPrecision: configuration.normPrecision)
                let estimator = try AsymmetricQJLEstimator(transform: transform, constant: .derived)
                let queries: Matrix<Scalar>
                do { queries = try Matrix(rows: 1, columns: d, elements: q) } catch { throw QJLError.invalidArgument("query: \(error)") }
                let scores = try sketch.scores(queries: queries, transform: transform, estimator: estimator)
                return (scores.elements.map { Double($0) }, sketch.bitLedger)
            } catch { throw fail(error.description) }
        case .kivi:
            do throws(KVCacheError) {
                let quantizer = try KIVIKeyQuantizer<Scalar>(headDimension: d, groupSize: configuration.groupSize, bits: configuration.bits)
                var logits: [Double] = []
                var ledger = BitLedger(components: [], tokens: 0, coordinatesPerToken: d)
                let g = configuration.groupSize
                for start in stride(from: 0, to: n, by: g) {
                    let group: Matrix<Scalar>
                    do { group = try Matrix(rows: g, columns: d, elements: Array(keys.elements[(start * d)..<((start + g) * d)])) } catch {
                        throw KVCacheError.invalidParameter(name: "group", value: start, requirement: "allocatable")
                    }
                    let block = try quantizer.quantize(keys: group)
                    logits += quantizer.logits(try quantizer.prepare(query: q), block: block).map { Double($0) }
                    ledger = ledger.merged(with: quantizer.bitLedger(of: block))
                }
                return (logits, ledger)
            } catch { throw fail(error.description) }
        case .turboMSE:
            let book = try codebook(configuration.bits)
            do throws(TurboQuantError) {
                let quantizer = try TurboQuantMSE<Scalar>(inputDimension: d, codebook: book, seed: seed,
                                                          normPrecision: configuration.normPrecision)
                let codes = try quantizer.quantize(keys)
                return (try quantizer.estimateInnerProducts(query: q, codes: codes).map { Double($0) }, codes.bitLedger)
            } catch { throw fail(error.description) }
        case .turboProd:
            guard (1...9).contains(configuration.bits) else { throw fail("TurboQuant_prod needs b in 1...9") }
            let mseBook: LloydMaxCodebook? = configuration.bits >= 2 ? try codebook(configuration.bits - 1) : nil
            do throws(TurboQuantError) {
                let mse = try mseBook.map { (book) throws(TurboQuantError) in
                    try TurboQuantMSE<Scalar>(inputDimension: d, codebook: book, seed: seed, normPrecision: configuration.normPrecision)
                }
                let quantizer = try TurboQuantProd<Scalar>(
                    inputDimension: d, mse: mse, sketchSeed: TurboQuantProd<Scalar>.sketchSeed(from: seed), sketchDimension: d,
                    normPrecision: configuration.normPrecision)
                let codes = try quantizer.quantize(keys)
                return (try quantizer.estimateInnerProducts(query: q, codes: codes).map { Double($0) }, codes.bitLedger)
            } catch { throw fail(error.description) }
        }
    }

    // MARK: Trials

    /// Sums of one block, one entry per configuration.
    public struct Accumulator: Codable, Sendable, Equatable {
        public var trials = 0
        /// Σ_trials Σ_j (â_j − a_j)².
        public var squaredErrorSums: [Double] = []
        /// Σ_trials b_t and Σ b_t², b_t = (1/n)Σ_j (â_j − a_j).
        public var biasSums: [Double] = []
        public var biasSquaredSums: [Double] = []
        /// Σ_trials of ‖â − a‖/‖a‖, max relative score error, TV, KL, top-k recall, output error.
        public var logitErrorSums: [Double] = []
        public var maxScoreErrorSums: [Double] = []
        public var totalVariationSums: [Double] = []
        public var klSums: [Double] = []
        public var recallSums: [Double] = []
        public var outputErrorSums: [Double] = []
    }

    public func runBlock(_ block: TrialBlock) throws(ExperimentError) -> Accumulator {
        switch block.precision {
        case .double: try runBlock(block, as: Double.self)
        case .float: try runBlock(block, as: Float.self)
        }
    }

    /// The fixed values V (iid N(0,1), from `RandomStream(seed).child("exp-bits").child("values")`)
    /// and their dequantized V̂, both n×d in Double.
    func values(_ experimentStream: RandomStream) throws(ExperimentError) -> (exact: Matrix<Double>, quantized: Matrix<Double>) {
        let n = tokenCount, d = inputDimension
        let v: [Double] = experimentStream.child("values").gaussians(n * d)
        do {
            let exact = try Matrix(rows: n, columns: d, elements: v)
            let quantizer = try GroupwiseValueQuantizer(headDimension: d, groupSize: valueGroupSize, bits: valueBits)
            let store = try quantizer.quantize(exact)
            let quantized = try Matrix(rows: n, columns: d, elements: (0..<n).flatMap { store.dequantizedToken($0, as: Double.self) })
            return (exact, quantized)
        } catch { throw .internalFailure("values: \(error)") }
    }

    /// The sphere-law codebooks the configurations need, by bits.
    func codebooks() throws(ExperimentError) -> [Int: LloydMaxCodebook] {
        var needed = Set<Int>()
        for c in configurations {
            if c.method == .turboMSE { needed.insert(c.bits) }
            if c.method == .turboProd, c.bits >= 2 { needed.insert(c.bits - 1) }
        }
        var books: [Int: LloydMaxCodebook] = [:]
        for bits in needed.sorted() {
            do { books[bits] = try LloydMaxCodebook(law: .sphereCoordinate(dimension: inputDimension), bits: bits) } catch {
                throw .invalidOption("TurboQuant codebook at b = \(bits): \(error.description)")
            }
        }
        return books
    }

    func runBlock<Scalar: LinearAlgebraScalar>(_ block: TrialBlock, as type: Scalar.Type) throws(ExperimentError) -> Accumulator {
        let count = configurations.count
        let zeros = [Double](repeating: 0, count: count)
        var acc = Accumulator(trials: 0, squaredErrorSums: zeros, biasSums: zeros, biasSquaredSums: zeros, logitErrorSums: zeros,
                              maxScoreErrorSums: zeros, totalVariationSums: zeros, klSums: zeros, recallSums: zeros, outputErrorSums: zeros)
        let keyMatrix = try keyMatrix(Scalar.self)
        let books = try codebooks()
        let exact = exactLogits
        let (valuesExact, valuesQuantized) = try values(block.experimentStream)
        let n = Double(tokenCount)
        let logitNorm = exact.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let p: [Double], o: [Double]
        do {
            p = try Attention.softmax(exact, temperature: temperature)
            o = try Attention.output(weights: p, values: valuesExact)
        } catch { throw .internalFailure("exact attention: \(error.description)") }
        let oNorm = o.reduce(0) { $0 + $1 * $1 }.squareRoot()
        // KIVI uses no randomness: its estimate is computed once per block and reused.
        var deterministic: [Int: [Double]] = [:]
        for trial in block.trials {
            if block.isCancelled { throw .interrupted }
            let stream = block.stream(forTrial: trial)
            for (index, configuration) in configurations.enumerated() {
                let words = stream.child(configuration.description).block(0)
                let seed = UInt64(words.x) | UInt64(words.y) << 32
                let estimated: [Double]
                if let cached = deterministic[index] {
                    estimated = cached
                } else {
                    estimated = try Self.estimate(configuration, keys: keyMatrix, query: query, seed: seed, codebooks: books).logits
                    if configuration.method == .kivi { deterministic[index] = estimated }
                }
                var squared = 0.0, signed = 0.0
                for j in exact.indices {
                    let error = estimated[j] - exact[j]
                    squared += error * error
                    signed += error
                }
                acc.squaredErrorSums[index] += squared
                acc.biasSums[index] += signed / n
                acc.biasSquaredSums[index] += (signed / n) * (signed / n)
                acc.logitErrorSums[index] += logitNorm > 0 ? squared.squareRoot() / logitNorm : 0
                do {
                    let metrics = try AttentionErrorMetrics(exactLogits: exact, estimatedLogits: estimated, temperature: temperature, topK: topK)
                    acc.maxScoreErrorSums[index] += metrics.maxRelativeScoreError
                    acc.totalVariationSums[index] += metrics.totalVariation
                    acc.klSums[index] += metrics.klDivergence
                    acc.recallSums[index] += metrics.topKRecall
                    let pHat = try Attention.softmax(estimated, temperature: temperature)
                    let oHat = try Attention.output(weights: pHat, values: valuesQuantized)
                    let difference = zip(oHat, o).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                    acc.outputErrorSums[index] += oNorm > 0 ? difference / oNorm : 0
                } catch { throw .internalFailure("\(configuration): attention metrics: \(error.description)") }
            }
            acc.trials += 1
        }
        return acc
    }

    public func finalize(_ blocks: [Accumulator], manifest: RunManifest) throws(ExperimentError) -> BitsReport {
        let count = configurations.count
        var total = Accumulator()
        for path in [\Accumulator.squaredErrorSums, \.biasSums, \.biasSquaredSums, \.logitErrorSums, \.maxScoreErrorSums,
                     \.totalVariationSums, \.klSums, \.recallSums, \.outputErrorSums] {
            total[keyPath: path] = [Double](repeating: 0, count: count)
        }
        for block in blocks {
            guard block.squaredErrorSums.count == count else { throw .internalFailure("block accumulator has the wrong size") }
            total.trials += block.trials
            for path in [\Accumulator.squaredErrorSums, \.biasSums, \.biasSquaredSums, \.logitErrorSums, \.maxScoreErrorSums,
                         \.totalVariationSums, \.klSums, \.recallSums, \.outputErrorSums] {
                for i in 0..<count { total[keyPath: path][i] += block[keyPath: path][i] }
            }
        }
        let trials = total.trials
        guard trials >= 2 else { throw .invalidOption("exp-bits needs at least 2 trials for intervals, got \(trials)") }
        let t = Double(trials), n = Double(tokenCount)
        let exact = exactLogits
        let sumSquares = exact.reduce(0) { $0 + $1 * $1 }
        let rms = (sumSquares / n).squareRoot()
        let keyMatrix = try keyMatrix(Double.self)
        let books = try codebooks()
        var rows: [BitsRow] = []
        for (i, configuration) in configurations.enumerated() {
            let ledger = try Self.estimate(configuration, keys: keyMatrix, query: query, seed: 0, codebooks: books).ledger
            let biasMean = total.biasSums[i] / t
            let biasVariance = Swift.max(0, (total.biasSquaredSums[i] - t * biasMean * biasMean) / (t - 1))
            let interval: ConfidenceInterval
            do { interval = try ConfidenceInterval.studentTMean(mean: biasMean, standardDeviation: biasVariance.squareRoot(), count: trials, level: 0.95) } catch {
                throw .internalFailure("bias interval: \(error)")
            }
            rows.append(BitsRow(
                configuration: configuration.description, family: configuration.family, method: configuration.method.rawValue,
                bitsPerCoordinate: ledger.bitsPerCoordinate, ledger: ledger.components,
                mseOverMeanSquare: total.squaredErrorSums[i] / (t * sumSquares),
                biasOverRMS: biasMean / rms, biasLower: interval.lower / rms, biasUpper: interval.upper / rms,
                logitRelativeError: total.logitErrorSums[i] / t, maxScoreError: total.maxScoreErrorSums[i] / t,
                totalVariation: total.totalVariationSums[i] / t, klDivergence: total.klSums[i] / t,
                topKRecall: total.recallSums[i] / t, outputError: total.outputErrorSums[i] / t))
        }
        // The floor: exact keys, quantized values.
        let floor: Double
        do {
            let (valuesExact, valuesQuantized) = try values(RandomStream(seed: manifest.seed).child(Self.name))
            let p = try Attention.softmax(exact, temperature: temperature)
            let o = try Attention.output(weights: p, values: valuesExact)
            let oHat = try Attention.output(weights: p, values: valuesQuantized)
            let difference = zip(oHat, o).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            floor = difference / Swift.max(o.reduce(0) { $0 + $1 * $1 }.squareRoot(), .leastNormalMagnitude)
        } catch { throw .internalFailure("value floor: \(error)") }
        let valueLedgerBits: Double
        do {
            valueLedgerBits = try GroupwiseValueQuantizer(headDimension: inputDimension, groupSize: valueGroupSize, bits: valueBits)
                .quantize(try Matrix<Double>(rows: 1, columns: inputDimension, elements: (0..<inputDimension).map(Double.init))).bitLedger.bitsPerCoordinate
        } catch { throw .internalFailure("value ledger: \(error)") }
        return BitsReport(trials: trials, source: source, tokenCount: tokenCount, inputDimension: inputDimension,
                          valueBitsPerCoordinate: valueLedgerBits, exactKeysOutputError: floor, rows: rows)
    }
}

/// What `exp-bits` reports (under `"report"` in `--json`).
public struct BitsReport: Codable, Sendable, Equatable {
    public var trials: Int
    public var source: String
    public var tokenCount: Int
    public var inputDimension: Int
    /// The shared value quantizer's bits per coordinate (its ledger).
    public var valueBitsPerCoordinate: Double
    /// ‖p V̂ − p V‖/‖p V‖: the output error with exact keys (the floor every method shares).
    public var exactKeysOutputError: Double
    public var rows: [BitsRow]
}

/// One configuration's row.
public struct BitsRow: Codable, Sendable, Equatable {
    public var configuration: String
    public var family: String
    public var method: String
    /// Key-cache bits per coordinate, full count (the container's ledger).
    public var bitsPerCoordinate: Double
    /// The ledger's components (bits for all n tokens).
    public var ledger: [BitLedger.Component]
    public var mseOverMeanSquare: Double
    public var biasOverRMS: Double
    public var biasLower: Double
    public var biasUpper: Double
    public var logitRelativeError: Double
    public var maxScoreError: Double
    public var totalVariation: Double
    public var klDivergence: Double
    public var topKRecall: Double
    public var outputError: Double
}
