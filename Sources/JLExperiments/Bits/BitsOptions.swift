import ArgumentParser
import JLExperimentKit
import JLKVCache
import JLPlot
import JLRandom
import QJL

private typealias Format = JLExperimentKit.NumberFormat

/// The options of `exp-bits` beyond `JLExperimentKit/CommonOptions` and ``InputOptions``.
public struct BitsOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("dimension"), help: "d of the synthetic keys (real keys: the file's d).")
    public var inputDimension: Int = 128

    @Option(name: .customLong("qjl-m"), help: "Plain QJL sketch dimensions m, as multiples of d (default 1.5,2,3,4 → m = 192,256,384,512 at d = 128).")
    public var qjlSketchMultiples: String = "1.5,2,3,4"

    @Option(name: .customLong("qjl-outliers"), help: "QJL with outlier channels: m:m_O pairs as multiples of d (empty: none).")
    public var qjlOutlierPairs: String = "1:0.25,1:1,2:0.5,2:2"

    @Option(name: .customLong("outlier-count"), help: "Outlier channels per group for the QJL outlier configurations.")
    public var outlierCount: Int = 4

    @Option(name: .customLong("qjl-norm"), help: "QJL norm precision: float16 or float32.")
    public var qjlNorm: String = "float16"

    @Option(name: .customLong("group-size"), help: "Tokens per group G of QJL's outlier selection.")
    public var groupSize: Int = 32

    @Option(name: .customLong("kivi-bits"), help: "KIVI key bits (allowed: \(PackedCodes.allowedBits.map(String.init).joined(separator: ", "))).")
    public var kiviBits: String = PackedCodes.allowedBits.contains(3) ? "1,2,3,4" : "1,2,4"

    @Option(name: .customLong("kivi-group-sizes"), help: "KIVI tokens per group G (scale and minimum per channel per group).")
    public var kiviGroupSizes: String = "32,128"

    @Option(name: .customLong("turbo-mse-bits"), help: "TurboQuant_mse bits b.")
    public var turboMSEBits: String = "1,2,3,4"

    @Option(name: .customLong("turbo-prod-bits"), help: "TurboQuant_prod bits b (b − 1 mse bits + 1 QJL bit, m = d).")
    public var turboProdBits: String = "2,3,4,5"

    @Option(name: .customLong("turbo-norm"), help: "TurboQuant norm precision (‖x‖ and γ): float16 or float32.")
    public var turboNorm: String = "float16"

    @Option(name: .customLong("value-bits"), help: "Bits of the value quantizer every method shares.")
    public var valueBits: Int = 2

    @Option(name: .customLong("value-group-size"), help: "Channels per value group (min(g, d) is used).")
    public var valueGroupSize: Int = 32

    @Option(name: .customLong("top-k"), help: "k of the top-k attention recall.")
    public var topK: Int = 8

    @Flag(name: .customLong("no-temperature"), help: "Softmax of the raw logits (default: logits/√d, standard attention).")
    public var noTemperature = false

    public init() {}

    static func multiples(_ text: String, option: String) throws(ExperimentError) -> [Double] {
        guard !text.isEmpty else { return [] }
        let values = try DistortionOptions.list(text, option: option) { Double($0) }
        guard values.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw .invalidOption("\(option) values must be > 0, got \(text)") }
        return values
    }

    static func integers(_ text: String, option: String) throws(ExperimentError) -> [Int] {
        guard !text.isEmpty else { return [] }
        return try DistortionOptions.list(text, option: option) { Int($0) }
    }

    /// The configurations for dimension d.
    /// - Throws: `JLExperimentKit/ExperimentError/invalidOption(_:)`.
    public func configurations(dimension d: Int) throws(ExperimentError) -> [KeyCacheConfiguration] {
        func sketch(_ multiple: Double, _ option: String) throws(ExperimentError) -> Int {
            let m = Int((multiple * Double(d)).rounded())
            guard m >= 1 else { throw .invalidOption("\(option): \(multiple)·d = \(m) rows; need ≥ 1") }
            return m
        }
        func precision(_ text: String, _ option: String) throws(ExperimentError) -> NormPrecision {
            guard let value = NormPrecision(rawValue: text.lowercased()) else {
                throw .invalidOption("\(option) must be float16 or float32, got '\(text)'")
            }
            return value
        }
        let qjlNorm = try precision(self.qjlNorm, "--qjl-norm"), turboNorm = try precision(self.turboNorm, "--turbo-norm")
        var list: [KeyCacheConfiguration] = []
        for multiple in try Self.multiples(qjlSketchMultiples, option: "--qjl-m") {
            list.append(.init(method: .qjl, sketchDimension: try sketch(multiple, "--qjl-m"), groupSize: groupSize, normPrecision: qjlNorm))
        }
        if !qjlOutlierPairs.isEmpty {
            for pair in try DistortionOptions.list(qjlOutlierPairs, option: "--qjl-outliers", { $0 }) {
                let parts = pair.split(separator: ":").compactMap { Double($0) }
                guard parts.count == 2 else { throw .invalidOption("--qjl-outliers: '\(pair)' is not m:m_O (multiples of d, e.g. 2:0.5)") }
                list.append(.init(method: .qjl, sketchDimension: try sketch(parts[0], "--qjl-outliers"), outlierCount: outlierCount,
                                  outlierSketchDimension: try sketch(parts[1], "--qjl-outliers"), groupSize: groupSize, normPrecision: qjlNorm))
            }
        }
        for g in try Self.integers(kiviGroupSizes, option: "--kivi-group-sizes") {
            for b in try Self.integers(kiviBits, option: "--kivi-bits") { list.append(.init(method: .kivi, bits: b, groupSize: g)) }
        }
        for b in try Self.integers(turboMSEBits, option: "--turbo-mse-bits") { list.append(.init(method: .turboMSE, bits: b, normPrecision: turboNorm)) }
        for b in try Self.integers(turboProdBits, option: "--turbo-prod-bits") { list.append(.init(method: .turboProd, bits: b, normPrecision: turboNorm)) }
        return list
    }

    /// The experiment: keys from `inputs` (synthetic from `RandomStream(seed).child("exp-bits").child("input")`).
    /// - Throws: `JLExperimentKit/ExperimentError`: `.invalidOption` (64), `.invalidInput` (65).
    public func makeExperiment(seed: UInt64, inputs: InputOptions) throws(ExperimentError) -> BitsExperiment {
        guard inputDimension >= 2, inputDimension <= 1024 else { throw .invalidOption("--dimension must be in 2...1024, got \(inputDimension)") }
        let source: AttentionInputSource
        let input: AttentionInput
        do throws(InputError) {
            source = try inputs.source(dimension: inputDimension)
            input = try source.input(dimension: inputDimension, stream: RandomStream(seed: seed).child(BitsExperiment.name).child("input"))
        } catch { throw error.experimentError }
        return try BitsExperiment(input: input, source: source.summary, configurations: configurations(dimension: input.dimension),
                                  valueBits: valueBits, valueGroupSize: valueGroupSize,
                                  inverseSquareRootTemperature: !noTemperature, topK: topK)
    }
}

extension BitsExperiment {
    public static let helpAbstract = "Key-cache methods at equal total bits per coordinate: QJL (m, outliers, norms), KIVI, TurboQuant_mse/_prod."

    public static let helpDiscussion = """
    WHAT IT COMPARES (QJL arXiv 2406.03482; KIVI arXiv 2402.02750; TurboQuant arXiv 2504.19874; theory.md §3.7, §5)
      Fixed keys K (n x d) and query q: synthetic LLM-like keys by default (shared mean, 4 outlier channels 10-30x),
      or --keys/--queries .npy (one head, the last query token). Values V: iid N(0,1) from the seed (also for
      real keys), quantized ONCE with the same per-token quantizer for every method (default 2 bits, groups of 32
      channels, Float16 scale and minimum; its bits are printed above the table and not counted in "bits").
      Per trial: a fresh seed for S (QJL), the rotation and S (TurboQuant); KIVI is deterministic.
      Configurations: qjl m=.. (plain; o = 0), qjl m=.. o=.. mO=.. (outlier channels per group of G tokens sketched
      with the first m_O rows), kivi b=.. G=.., tq-mse b=.., tq-prod b=.. (b-1 mse bits + 1-bit QJL, m = d).

    HOW TO READ THE COLUMNS
      bits/coord     total key-cache bits / (n d) from the container's BitLedger: codes or sign bits, word padding,
                     norms, scales/minimums, outlier indices. The full count, never "sign bits only" (docs/bits.md).
                     At d = 32 (MiniLM) a Float16 norm alone is 0.5 bit per coordinate and QJL sign bits are padded
                     to 64-bit words, so QJL pays more overhead per coordinate than at d = 128.
      MSE/mean a^2   sum over trials and keys of (a^_j - a_j)^2 / (trials sum_j a_j^2), a = K q.
      bias/rms a     mean over trials of mean_j (a^_j - a_j), over rms(a); 95% t: its Student t interval over trials
                     (KIVI: zero width, it is deterministic). QJL (derived constant) and TurboQuant_prod are unbiased.
      logit rel      mean ||a^ - a|| / ||a||.
      max|dp|/p, TV, KL   p = softmax(a/sqrt(d)), p^ = softmax(a^/sqrt(d)) (--no-temperature: no 1/sqrt(d)):
                     max_j |p^_j - p_j|/p_j, (1/2)||p^ - p||_1, KL(p || p^); means over trials.
      top-k recall   |top_k(p) n top_k(p^)| / k (default k = 8).
      out err        ||p^ V^ - p V|| / ||p V||, quantized values V^ for the estimate, exact V for the reference;
                     "exact keys" in the header is the same with p^ = p (the value quantizer's floor).
    """

    /// The stdout table.
    public func table(for report: BitsReport, manifest: RunManifest) -> TextTable {
        let title = "exp-bits: \(report.source), n = \(report.tokenCount), d = \(report.inputDimension), \(report.trials) trials; values: \(valueBits)-bit groups of \(valueGroupSize) (\(Format.significant(report.valueBitsPerCoordinate, digits: 4)) bits/coord, same for all); exact keys → out err \(Format.significant(report.exactKeysOutputError, digits: 4))"
        var table = TextTable(headers: [
            "configuration", "bits/coord", "MSE/mean a²", "bias/rms a", "95% t", "logit rel", "max|Δp|/p", "TV", "KL",
            "top-\(topK) recall", "out err",
        ])
        let sorted = report.rows.sorted { $0.bitsPerCoordinate != $1.bitsPerCoordinate ? $0.bitsPerCoordinate < $1.bitsPerCoordinate : $0.configuration < $1.configuration }
        for row in sorted {
            table.append([
                row.configuration, Format.fixed(row.bitsPerCoordinate, decimals: 4), Format.significant(row.mseOverMeanSquare, digits: 3),
                Format.significant(row.biasOverRMS, digits: 3), DistortionExperiment.interval(row.biasLower, row.biasUpper),
                Format.significant(row.logitRelativeError, digits: 3), Format.significant(row.maxScoreError, digits: 3),
                Format.significant(row.totalVariation, digits: 3), Format.significant(row.klDivergence, digits: 3),
                Format.fixed(row.topKRecall, decimals: 3), Format.significant(row.outputError, digits: 3),
            ])
        }
        return TextTable(columns: [TextTable.Column(title, alignment: .left)],
                         rows: table.render().split(separator: "\n").map { [String($0)] })
    }

    /// Full-precision CSV with the ledger components.
    public func csv(for report: BitsReport, manifest: RunManifest) -> CSVTable {
        var csv = CSVTable(header: [
            "configuration", "family", "method", "bits_per_coordinate", "mse_over_mean_square", "bias_over_rms", "bias_lower",
            "bias_upper", "logit_relative_error", "max_score_error", "total_variation", "kl", "topk_recall", "output_error",
            "exact_keys_output_error", "value_bits_per_coordinate", "ledger",
        ])
        func text(_ x: Double) -> String { Format.significant(x, digits: 17) }
        for row in report.rows {
            csv.append([
                row.configuration, row.family, row.method, text(row.bitsPerCoordinate), text(row.mseOverMeanSquare),
                text(row.biasOverRMS), text(row.biasLower), text(row.biasUpper), text(row.logitRelativeError),
                text(row.maxScoreError), text(row.totalVariation), text(row.klDivergence), text(row.topKRecall),
                text(row.outputError), text(report.exactKeysOutputError), text(report.valueBitsPerCoordinate),
                row.ledger.map { "\($0.name)=\($0.bits)" }.joined(separator: "; "),
            ])
        }
        return csv
    }

    /// Error against bits per method (log y): logit relative error and attention TV.
    public func plot(for report: BitsReport, manifest: RunManifest) -> String? {
        var logit = Plot(title: "logit relative error ‖â − a‖/‖a‖", xLabel: "key bits per coordinate (full ledger)",
                         yLabel: "mean ‖â − a‖/‖a‖", yScale: .log10, width: 640, height: 520, legendPosition: .topRight)
        var tv = Plot(title: "attention TV ½‖p̂ − p‖₁", xLabel: "key bits per coordinate (full ledger)",
                      yLabel: "mean TV", yScale: .log10, width: 640, height: 520, legendPosition: .topRight)
        do {
            var order: [String] = []
            var groups: [String: [BitsRow]] = [:]
            for row in report.rows {
                if groups[row.family] == nil { order.append(row.family) }
                groups[row.family, default: []].append(row)
            }
            for family in order {
                let rows = (groups[family] ?? []).sorted { $0.bitsPerCoordinate < $1.bitsPerCoordinate }
                let x = rows.map(\.bitsPerCoordinate)
                try logit.line(x: x, y: rows.map { Swift.max($0.logitRelativeError, 1e-12) }, label: family, markers: true)
                try tv.line(x: x, y: rows.map { Swift.max($0.totalVariation, 1e-12) }, label: family, markers: true)
            }
            return try Figure(rows: 1, columns: 2, panels: [logit, tv],
                              title: "exp-bits: \(report.source), d = \(report.inputDimension)").render()
        } catch {
            return nil
        }
    }
}
