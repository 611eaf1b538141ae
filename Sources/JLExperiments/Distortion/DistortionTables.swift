import Foundation
import JLExperimentKit
import JLPlot
import JLStatistics

private typealias Format = JLExperimentKit.NumberFormat

extension DistortionExperiment {
    /// The stdout report: three aligned sections (Lemma 3.5; Theorem 3.6 scores; logit error),
    /// each a table with the theory next to every empirical number. Returned as a one-column
    /// table whose rows are the pre-rendered lines, so the sections keep their own alignment.
    public func table(for report: DistortionReport, manifest: RunManifest) -> TextTable {
        var lines: [String] = []
        func add(_ title: String, _ table: TextTable) {
            lines.append(title)
            lines.append(contentsOf: table.render().split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
            lines.append("")
        }
        add("Lemma 3.5: P(|Prod_QJL − ⟨q,k⟩| > ε‖q‖‖k‖), unit q, k at angle θ, d = \(inputDimension), \(report.trials) trials (95% Wilson; verdict: violated iff the interval lies above δ, holds iff at or below)",
            distortionTable(report))
        if !report.attention.isEmpty {
            add("Theorem 3.6: max_i |Ŝ_i − S_i|/S_i > 3ε, softmax without 1/√d, \(report.attention.first?.trials ?? 0) trials (--attention-trials), one Gaussian S per trial; keys: \(report.attentionSource ?? "?"); promise n·n^(−3/(2+2ε)) only when every assumption holds",
                attentionTable(report))
            add("Theorem 3.6 logits (same trials): e = ‖â − a‖/‖a‖; E e ≤ √(C/m) (Jensen) and E e² = C/m exactly, C = Σ_j[(π/2)‖q‖²‖k_j‖² − a_j²]/Σ_j a_j² (theory.md §2.8)",
                logitTable(report))
        }
        if lines.last == "" { lines.removeLast() }
        return TextTable(columns: [TextTable.Column("exp-distortion (QJL, arXiv 2406.03482)", alignment: .left)],
                         rows: lines.map { [$0] })
    }

    static func probability(_ x: Double) -> String {
        x >= 1 ? "≥1 (vacuous)" : Format.significant(x, digits: 3)
    }

    static func interval(_ lower: Double, _ upper: Double, digits: Int = 3) -> String {
        "[\(Format.significant(lower, digits: digits)), \(Format.significant(upper, digits: digits))]"
    }

    static func decide(_ count: Int?) -> String {
        guard let count else { return "" }
        return count == Int.max ? "never" : "≥ \(count)"
    }

    func distortionTable(_ report: DistortionReport) -> TextTable {
        var table = TextTable(headers: [
            "transform", "m", "ε", "θ°", "fail/n", "P̂", "95% Wilson", "δ stated", "δ corrected", "CLT",
            "vs stated", "vs corrected", "n to decide (stated; corrected)", "MSE/exact",
        ])
        for row in report.distortion {
            let decide = [Self.decide(row.trialsToDecideStated), Self.decide(row.trialsToDecideCorrected)]
            table.append([
                row.transform, "\(row.sketchDimension)", Format.significant(row.epsilon, digits: 4),
                Format.significant(row.angleDegrees, digits: 4), "\(row.failures)/\(row.trials)",
                Format.significant(row.failureRate, digits: 3), Self.interval(row.wilsonLower, row.wilsonUpper),
                Self.probability(row.statedDelta), Self.probability(row.correctedDelta),
                Format.significant(row.cltFailureProbability, digits: 3),
                row.statedDelta >= 1 ? "holds (vacuous)" : row.verdictStated.rawValue,
                row.correctedDelta >= 1 ? "holds (vacuous)" : row.verdictCorrected.rawValue,
                decide.allSatisfy(\.isEmpty) ? "—" : decide.map { $0.isEmpty ? "—" : $0 }.joined(separator: "; "),
                row.exactMeanSquaredError > 0 ? Format.fixed(row.meanSquaredError / row.exactMeanSquaredError, decimals: 3) : "—",
            ])
        }
        return table
    }

    func attentionTable(_ report: DistortionReport) -> TextTable {
        var table = TextTable(headers: [
            "m", "ε", "r", "m_req=2r²ln(n)/ε²", "m≥m_req", "ε≤0.381", "r≤1", "mean max|ΔS|/S", "worst", "3ε",
            ">3ε k/n", "P̂", "95% Wilson", "δ promised", "verdict",
        ])
        for row in report.attention {
            table.append([
                "\(row.sketchDimension)", Format.significant(row.epsilon, digits: 4), Format.significant(row.maxNorm, digits: 4),
                Format.fixed(row.requiredSketchDimension, decimals: 1),
                row.sketchDimensionHolds ? "yes" : "NO", row.epsilonHolds ? "yes" : "NO", row.maxNormHolds ? "yes" : "NO",
                Format.significant(row.meanMaxScoreError, digits: 3), Format.significant(row.worstMaxScoreError, digits: 3),
                Format.significant(3 * row.epsilon, digits: 3),
                "\(row.exceedances)/\(row.trials)", Format.significant(row.exceedanceRate, digits: 3),
                Self.interval(row.wilsonLower, row.wilsonUpper), Self.probability(row.promisedFailureProbability),
                row.verdict?.rawValue ?? "not promised (assumption fails)",
            ])
        }
        return table
    }

    func logitTable(_ report: DistortionReport) -> TextTable {
        var table = TextTable(headers: [
            "m", "mean e", "95% t", "√(C/m)", "vs √(C/m)", "mean e²", "99.9% t", "C/m exact", "verdict",
        ])
        for row in report.logits {
            table.append([
                "\(row.sketchDimension)", Format.significant(row.meanRelativeError, digits: 4),
                Self.interval(row.meanLower, row.meanUpper, digits: 4), Format.significant(row.jensenBound, digits: 4),
                row.verdictMean.rawValue, Format.significant(row.meanSquaredRelativeError, digits: 4),
                Self.interval(row.squaredLower, row.squaredUpper, digits: 4), Format.significant(row.exactMeanSquared, digits: 4),
                row.exactAgrees ? "agrees" : "DIFFERS",
            ])
        }
        return table
    }

    /// The `--csv` table: one row per reported cell, a `section` column, full precision.
    public func csv(for report: DistortionReport, manifest: RunManifest) -> CSVTable {
        let header = [
            "section", "transform", "m", "epsilon", "angle_deg", "count", "trials", "rate", "ci_lower", "ci_upper",
            "delta_stated", "delta_corrected", "clt", "verdict_stated", "verdict_corrected",
            "trials_to_decide_stated", "trials_to_decide_corrected", "mse", "mse_exact",
            "r", "m_required", "assumptions_hold", "mean_max_score_error", "worst_max_score_error", "delta_promised", "verdict",
            "mean_e", "mean_e_lower", "mean_e_upper", "jensen_bound", "mean_e2", "mean_e2_lower", "mean_e2_upper", "e2_exact",
        ]
        var csv = CSVTable(header: header)
        func text(_ x: Double) -> String { Format.significant(x, digits: 17) }
        func record(_ values: [String: String]) { csv.append(header.map { values[$0] ?? "" }) }
        for row in report.distortion {
            record([
                "section": "lemma35", "transform": row.transform, "m": "\(row.sketchDimension)", "epsilon": text(row.epsilon),
                "angle_deg": text(row.angleDegrees), "count": "\(row.failures)", "trials": "\(row.trials)",
                "rate": text(row.failureRate), "ci_lower": text(row.wilsonLower), "ci_upper": text(row.wilsonUpper),
                "delta_stated": text(row.statedDelta), "delta_corrected": text(row.correctedDelta),
                "clt": text(row.cltFailureProbability), "verdict_stated": row.verdictStated.rawValue,
                "verdict_corrected": row.verdictCorrected.rawValue,
                "trials_to_decide_stated": row.trialsToDecideStated.map { "\($0)" } ?? "",
                "trials_to_decide_corrected": row.trialsToDecideCorrected.map { "\($0)" } ?? "",
                "mse": text(row.meanSquaredError), "mse_exact": text(row.exactMeanSquaredError),
            ])
        }
        for row in report.attention {
            record([
                "section": "theorem36", "transform": "gaussian", "m": "\(row.sketchDimension)", "epsilon": text(row.epsilon),
                "count": "\(row.exceedances)", "trials": "\(row.trials)", "rate": text(row.exceedanceRate),
                "ci_lower": text(row.wilsonLower), "ci_upper": text(row.wilsonUpper), "r": text(row.maxNorm),
                "m_required": text(row.requiredSketchDimension),
                "assumptions_hold": "\(row.sketchDimensionHolds && row.epsilonHolds && row.maxNormHolds)",
                "mean_max_score_error": text(row.meanMaxScoreError), "worst_max_score_error": text(row.worstMaxScoreError),
                "delta_promised": text(row.promisedFailureProbability), "verdict": row.verdict?.rawValue ?? "not promised",
            ])
        }
        for row in report.logits {
            record([
                "section": "logits", "transform": "gaussian", "m": "\(row.sketchDimension)",
                "mean_e": text(row.meanRelativeError), "mean_e_lower": text(row.meanLower), "mean_e_upper": text(row.meanUpper),
                "jensen_bound": text(row.jensenBound), "verdict": row.exactAgrees ? "agrees" : "differs",
                "mean_e2": text(row.meanSquaredRelativeError), "mean_e2_lower": text(row.squaredLower),
                "mean_e2_upper": text(row.squaredUpper), "e2_exact": text(row.exactMeanSquared),
            ])
        }
        return csv
    }

    /// Two panels: failure probability vs m (log–log) with Wilson bands, the stated and corrected
    /// δ(m) dashed and δ reference lines; the logit relative error vs m with √(C/m) dashed.
    public func plot(for report: DistortionReport, manifest: RunManifest) -> String? {
        // The bottom of the y axis: 1e-5, or lower for runs large enough to resolve smaller rates.
        let bottom = Swift.min(1e-5, 0.05 / Double(Swift.max(report.trials, 1)))
        var failure = Plot(title: "Lemma 3.5 failure rate (\(report.trials) trials)",
                           xLabel: "sketch dimension m", yLabel: "P(|Prod − ⟨q,k⟩| > ε)",
                           xScale: .log10, yScale: .log10, yRange: bottom...1.5,
                           width: 760, height: 560, legendPosition: .bottomLeft)
        do {
            var groups: [String: [DistortionRow]] = [:]
            var order: [String] = []
            for row in report.distortion {
                let key = "\(row.transform), ε=\(Format.significant(row.epsilon, digits: 3)), θ=\(Format.significant(row.angleDegrees, digits: 3))°"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(row)
            }
            for key in order {
                let rows = groups[key] ?? []
                let m = rows.map { Double($0.sketchDimension) }
                // A zero lower end (no failures) is drawn at the bottom edge of the log axis.
                try failure.band(x: m, lower: rows.map { Swift.max($0.wilsonLower, bottom) },
                                 upper: rows.map { Swift.max($0.wilsonUpper, bottom) }, label: "95% Wilson, \(key)")
                try failure.line(x: m, y: rows.map(\.failureRate), label: "P̂, \(key)", markers: true)
                try failure.line(x: m, y: rows.map(\.cltFailureProbability), label: "CLT, \(key)", style: .dotted)
            }
            for epsilon in epsilons {
                let grid = sketchDimensions.map(Double.init)
                let first = report.distortion.filter { $0.epsilon == epsilon && $0.transform == transforms.first }
                    .reduce(into: [Int: DistortionRow]()) { $0[$1.sketchDimension] = $1 }
                let rows = sketchDimensions.compactMap { first[$0] }
                guard rows.count == grid.count else { continue }
                try failure.dashedLine(x: grid, y: rows.map { Swift.min(1, $0.statedDelta) }, label: "δ stated(m), ε=\(epsilon)")
                try failure.dashedLine(x: grid, y: rows.map { Swift.min(1, $0.correctedDelta) }, label: "δ corrected(m), ε=\(epsilon)")
            }
            for delta in Self.checkpointFailureProbabilities { failure.horizontalLine(at: delta, label: "δ = \(delta)") }
            var panels = [failure]
            if !report.logits.isEmpty {
                var logit = Plot(title: "Theorem 3.6 logit error",
                                 xLabel: "sketch dimension m", yLabel: "‖â − a‖ / ‖a‖",
                                 xScale: .log10, yScale: .log10, width: 560, height: 560, legendPosition: .topRight)
                let m = report.logits.map { Double($0.sketchDimension) }
                try logit.errorBars(x: m, lower: report.logits.map(\.meanLower), upper: report.logits.map(\.meanUpper),
                                    center: report.logits.map(\.meanRelativeError), label: "mean e, 95% t")
                try logit.line(x: m, y: report.logits.map { $0.meanSquaredRelativeError.squareRoot() },
                               label: "√(mean e²)", markers: true)
                let constant = attention?.distortionConstant ?? 0
                let lowest = m.first ?? 1, highest = m.last ?? 1
                let grid = (0...40).map { lowest * pow(highest / lowest, Double($0) / 40) }
                try logit.dashedLine(x: grid, y: grid.map { (constant / $0).squareRoot() }, label: "√(C/m) exact (slope −1/2)")
                panels.append(logit)
            }
            return try Figure(rows: 1, columns: panels.count, panels: panels,
                              title: "exp-distortion: QJL Lemma 3.5 and Theorem 3.6 (arXiv 2406.03482)").render()
        } catch {
            return nil
        }
    }
}
