// exp-runtime: the QJL paper's runtime study (arXiv 2406.03482, Fig. 3 in v2; theory.md §1.8,
// §3.6) on this CPU: prefill (quantize) and one-token generation times for exact attention,
// QJL and KIVI, n = 1k … 128k, d = 128. See docs/performance.md, section "exp-runtime".
import ArgumentParser
import Foundation
import JLExperimentKit
import JLExperiments

struct ExpRuntime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exp-runtime",
        abstract: "Time to quantize a prompt and to generate one token: exact vs QJL vs KIVI (one head, d = 128).",
        discussion: """
        Prefill: store the n prompt keys and values in an empty cache (exact: fp32 copy; QJL: \
        sign sketches + 2-bit values; KIVI: 2-bit keys and values). Generate: append one (k, v), \
        score all n keys, softmax, weight the values. Medians of --repeats after --warmup runs. \
        The JSON holds wall-clock timings, so it differs between runs; it records the machine.
        """)

    @Option(help: "Sequence lengths, comma-separated, multiples of 128 (1k = 1024). Default 1k,2k,…,128k.")
    var lengths: String?

    @Flag(help: "Short run for CI: lengths 1k…8k (ignored when --lengths is given).")
    var quick = false

    @Option(help: "Threads for OpenBLAS and for QJL scoring.")
    var threads: Int = 1

    @Option(help: "Timed repetitions per measurement; the median is reported.")
    var repeats: Int = 5

    @Option(help: "Untimed warm-up repetitions before the timed ones.")
    var warmup: Int = 1

    @Option(help: "QJL scoring path: vectorized (AVX-512, falls back to lookupTable), lookupTable, plain, approximateInt8.")
    var scoring: String?

    @Option(help: "QJL outlier channels per group (plot_runtime.py uses 0).")
    var outliers: Int = 0

    @Option(help: "Seed of the synthetic tokens and of S.")
    var seed: UInt64 = 20_240_603

    @Option(help: "Write the report (with timings and the machine) as JSON to this path.")
    var json: String?

    @Option(help: "Write the table with every sample as CSV to this path.")
    var csv: String?

    @Option(help: "Write an SVG figure (log–log time vs n; panels quantize and generate) to this path.")
    var plot: String?

    @Flag(help: "Replace existing output files.")
    var overwrite = false

    func run() throws {
        do throws(RuntimeError) {
            let lengthList = try lengths.map { (text: String) throws(RuntimeError) in try RuntimeConfiguration.parseLengths(text) }
                ?? (quick ? RuntimeConfiguration.quickLengths : RuntimeConfiguration.fullLengths)
            let path = try scoring.map { (text: String) throws(RuntimeError) in try RuntimeConfiguration.parseScoringPath(text) }
                ?? RuntimeConfiguration.defaultScoringPath
            let configuration = try RuntimeConfiguration(
                lengths: lengthList, scoringPath: path, threads: threads, repeats: repeats, warmups: warmup,
                outlierCount: outliers, seed: seed)
            for output in [json, csv, plot].compactMap({ $0 }) {
                try RuntimeOutput.checkWritable(output, overwrite: overwrite)
            }
            let report = try RuntimeStudy.run(configuration) { line in
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
            print(report.summary + report.table.render(), terminator: "")
            func write(_ bytes: [UInt8], _ output: String) throws(RuntimeError) {
                try RuntimeOutput.write(bytes, to: output, overwrite: overwrite)
            }
            if let json { try write(try report.json(), json) }
            if let csv { try write(Array(report.csv.render().utf8), csv) }
            if let plot { try write(Array(try report.plotSVG().utf8), plot) }
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(error.exitStatus)
        }
    }
}

ExpRuntime.main()
