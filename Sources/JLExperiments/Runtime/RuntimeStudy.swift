import JLKVCache
import JLLinearAlgebra
import JLRandom
import JLTransforms
import QJL

/// The three attention methods the runtime study times.
public enum RuntimeMethod: String, Codable, Sendable, CaseIterable {
    /// fp32 keys and values, BLAS sgemv scoring and weighting.
    case exact
    /// QJL keys (m sign bits + norm) and 2-bit values (`QJLCache`).
    case qjl = "QJL"
    /// KIVI-style 2-bit keys per channel and values per token (`KIVI`).
    case kivi = "KIVI"
}

/// One (length, method) measurement.
public struct RuntimeRow: Codable, Sendable, Equatable {
    /// Sequence length n.
    public var length: Int
    /// The method.
    public var method: RuntimeMethod
    /// Median milliseconds to prefill (quantize) the n prompt tokens into an empty cache.
    public var quantizeMilliseconds: Double
    /// Median milliseconds to generate one token: append (k, v), score, softmax, weighted values.
    public var generateMilliseconds: Double
    /// Every timed quantize repetition, ms, in run order.
    public var quantizeSamples: [Double]
    /// Every timed generate step, ms, in run order (the cache grows by one token per step).
    public var generateSamples: [Double]
    /// quantize time / exact's quantize time at the same n.
    public var quantizeRatioToExact: Double
    /// generate time / exact's generate time at the same n.
    public var generateRatioToExact: Double
    /// ‖o − o_exact‖/‖o_exact‖ for one query on the prefilled cache (0 for exact): shows that the
    /// timed code computes attention.
    public var outputRelativeError: Double
}

/// The runtime study: timings per length and method, with the settings and the machine.
public struct RuntimeReport: Codable, Sendable, Equatable {
    /// The settings.
    public var configuration: RuntimeConfiguration
    /// The machine, BLAS and thread count the timings come from.
    public var machine: MachineDescription
    /// Rows, by length then method (exact, QJL, KIVI).
    public var rows: [RuntimeRow]
}

/// Runs the runtime study (arXiv 2406.03482 Fig. 3 v2, theory.md §1.8; `plot_runtime.py` settings
/// in §3.6) on this CPU.
///
/// ```
/// for n in lengths:
///   K, V ← N(0, 1)^{n×d};  new tokens (k_s, v_s, q_s) ← N(0, 1)^d, s < warm-up + repeats
///   quantize(method) = median over repeats of time(empty cache; prefill(K, V)), after warm-ups
///   generate(method) = median over repeats of time(append(k_s, v_s); attend(q_s)), on the
///                      prefilled cache, which grows by one token per step, after warm-ups
///   ratio = time(method) / time(exact)
/// ```
/// Timings use the monotonic `ContinuousClock`. The JSON therefore differs from run to run by
/// nature (unlike the Monte Carlo experiments): it records the machine next to the numbers.
/// - Complexity: per length O((warm-up + repeats)·n·(d·m/G·G + d)) work, memory 4·n·d·4 bytes.
public enum RuntimeStudy {
    /// Runs every length; `progress` receives one line per finished (length, method).
    /// - Throws: ``RuntimeError/cache(_:)`` if a cache rejects its input or settings;
    ///   ``RuntimeError/invalidOption(name:value:requirement:)`` if OpenBLAS rejects the thread count.
    public static func run(
        _ configuration: RuntimeConfiguration, progress: (String) -> Void = { _ in }
    ) throws(RuntimeError) -> RuntimeReport {
        do { try BLASConfiguration.setThreadCount(configuration.threads) } catch {
            throw .invalidOption(name: "--threads", value: configuration.threads, requirement: "accepted by OpenBLAS (\(error))")
        }
        let d = configuration.headDimension
        let transform: OrthogonalJL<Float>
        do {
            transform = try OrthogonalJL<Float>(inputDimension: d, sketchDimension: configuration.sketchDimension,
                                                seed: configuration.seed)
        } catch { throw .cache("building S: \(error)") }
        let qjlTemplate: StreamingKVCache<QJLKeyQuantizer<OrthogonalJL<Float>>>
        let kiviTemplate: StreamingKVCache<KIVIKeyQuantizer<Float>>
        do {
            qjlTemplate = try QJLCache.makeCache(
                transform: transform, outlierCount: configuration.outlierCount,
                keyGroupSize: configuration.keyGroupSize, bufferSize: configuration.bufferSize,
                valueBits: configuration.valueBits, valueGroupSize: configuration.valueGroupSize,
                scoringPath: configuration.scoringPath, scoringThreads: configuration.threads)
            kiviTemplate = try KIVI.makeCache(
                headDimension: d, bits: configuration.valueBits, keyGroupSize: configuration.keyGroupSize,
                valueGroupSize: configuration.valueGroupSize, residualLength: configuration.bufferSize, scalar: Float.self)
        } catch { throw .cache(error.description) }

        var rows: [RuntimeRow] = []
        let root = RandomStream(seed: configuration.seed).child("exp-runtime")
        for n in configuration.lengths {
            let data = try SyntheticTokens(stream: root.child(UInt64(n)), length: n, dimension: d,
                                       extraTokens: configuration.warmups + configuration.repeats + 1)
            let exact = try measureExact(data, configuration)
            progress("n = \(n): exact done")
            let qjl = try measure(template: qjlTemplate, data, configuration, reference: exact.reference)
            progress("n = \(n): QJL done")
            let kivi = try measure(template: kiviTemplate, data, configuration, reference: exact.reference)
            progress("n = \(n): KIVI done")
            for (method, timing) in [(RuntimeMethod.exact, exact.timing), (.qjl, qjl), (.kivi, kivi)] {
                rows.append(RuntimeRow(
                    length: n, method: method,
                    quantizeMilliseconds: median(timing.quantize), generateMilliseconds: median(timing.generate),
                    quantizeSamples: timing.quantize, generateSamples: timing.generate,
                    quantizeRatioToExact: median(timing.quantize) / median(exact.timing.quantize),
                    generateRatioToExact: median(timing.generate) / median(exact.timing.generate),
                    outputRelativeError: timing.outputRelativeError))
            }
        }
        return RuntimeReport(configuration: configuration,
                             machine: MachineDescription.current(threads: configuration.threads,
                                                                 scoringPath: configuration.scoringPath),
                             rows: rows)
    }

    /// The median (mean of the middle two for an even count).
    /// - Complexity: O(k log k).
    public static func median(_ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// ‖a − b‖/‖b‖ in Double.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        var difference = 0.0, reference = 0.0
        for i in b.indices {
            let delta = Double(a[i]) - Double(b[i])
            difference += delta * delta
            reference += Double(b[i]) * Double(b[i])
        }
        return reference > 0 ? (difference / reference).squareRoot() : (difference > 0 ? .infinity : 0)
    }

    struct Timing {
        var quantize: [Double] = []
        var generate: [Double] = []
        var outputRelativeError = 0.0
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1e3 + Double(parts.attoseconds) * 1e-15
    }

    static func measureExact(
        _ data: SyntheticTokens, _ configuration: RuntimeConfiguration
    ) throws(RuntimeError) -> (timing: Timing, reference: [Float]) {
        let clock = ContinuousClock(), d = configuration.headDimension
        let capacity = data.length + data.extraTokens
        var timing = Timing()
        var cache = ExactAttentionCache(headDimension: d, capacity: capacity)
        for repetition in 0..<(configuration.warmups + configuration.repeats) {
            // Allocation of the n×d buffers is part of storing the prompt, as for the caches.
            let start = clock.now
            var fresh = ExactAttentionCache(headDimension: d, capacity: capacity)
            try fresh.prefill(keys: data.keys, values: data.values)
            let elapsed = milliseconds(clock.now - start)
            if repetition >= configuration.warmups { timing.quantize.append(elapsed) }
            cache = fresh
        }
        let reference = try cache.attend(query: data.query(0))
        for step in 0..<(configuration.warmups + configuration.repeats) {
            let start = clock.now
            try cache.append(key: data.key(step + 1), value: data.value(step + 1))
            let output = try cache.attend(query: data.query(step + 1))
            let elapsed = milliseconds(clock.now - start)
            guard output.allSatisfy(\.isFinite) else { throw .cache("exact attention produced a non-finite output") }
            if step >= configuration.warmups { timing.generate.append(elapsed) }
        }
        return (timing, reference)
    }

    static func measure<Q: GroupKeyQuantizer>(
        template: StreamingKVCache<Q>, _ data: SyntheticTokens, _ configuration: RuntimeConfiguration,
        reference: [Float]
    ) throws(RuntimeError) -> Timing where Q.Scalar == Float {
        let clock = ContinuousClock()
        var timing = Timing()
        var cache = template
        do throws(KVCacheError) {
            for repetition in 0..<(configuration.warmups + configuration.repeats) {
                var fresh = template
                let start = clock.now
                try fresh.prefill(keys: data.keys, values: data.values)
                let elapsed = milliseconds(clock.now - start)
                if repetition >= configuration.warmups { timing.quantize.append(elapsed) }
                cache = fresh
            }
            timing.outputRelativeError = relativeError(try cache.attend(query: data.query(0)), reference)
            for step in 0..<(configuration.warmups + configuration.repeats) {
                let start = clock.now
                try cache.append(key: data.key(step + 1), value: data.value(step + 1))
                let output = try cache.attend(query: data.query(step + 1))
                let elapsed = milliseconds(clock.now - start)
                guard output.allSatisfy(\.isFinite) else { throw KVCacheError.emptyInput(what: "finite attention output") }
                if step >= configuration.warmups { timing.generate.append(elapsed) }
            }
        } catch {
            throw .cache(error.description)
        }
        return timing
    }
}

/// The synthetic prompt and generated tokens of one length: i.i.d. N(0, 1) Float entries from
/// JLRandom (role labels "keys", "values", "new keys", "new values", "queries").
struct SyntheticTokens {
    let length: Int
    let dimension: Int
    let extraTokens: Int
    let keys: Matrix<Float>
    let values: Matrix<Float>
    let newKeys: [Float]
    let newValues: [Float]
    let queries: [Float]

    init(stream: RandomStream, length n: Int, dimension d: Int, extraTokens: Int) throws(RuntimeError) {
        func gaussian(_ label: String, _ count: Int) -> [Float] {
            var buffer = [Float](repeating: 0, count: count)
            buffer.withUnsafeMutableBufferPointer { stream.child(label).fillGaussian($0) }
            return buffer
        }
        self.length = n
        self.dimension = d
        self.extraTokens = extraTokens
        do {
            self.keys = try Matrix(rows: n, columns: d, elements: gaussian("keys", n * d))
            self.values = try Matrix(rows: n, columns: d, elements: gaussian("values", n * d))
        } catch {
            throw .cache("synthetic \(n)×\(d) tokens: \(error)")
        }
        self.newKeys = gaussian("new keys", extraTokens * d)
        self.newValues = gaussian("new values", extraTokens * d)
        self.queries = gaussian("queries", extraTokens * d)
    }

    func key(_ s: Int) -> [Float] { Array(newKeys[(s * dimension)..<((s + 1) * dimension)]) }
    func value(_ s: Int) -> [Float] { Array(newValues[(s * dimension)..<((s + 1) * dimension)]) }
    func query(_ s: Int) -> [Float] { Array(queries[(s * dimension)..<((s + 1) * dimension)]) }
}
