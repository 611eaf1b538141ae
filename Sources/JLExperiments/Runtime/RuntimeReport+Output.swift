import Foundation
import JLExperimentKit
import JLFiles
import JLLinearAlgebra
import JLPlot
import QJL

/// The machine a timing comes from: recorded in every `exp-runtime` JSON (timings mean nothing
/// without it).
public struct MachineDescription: Codable, Sendable, Equatable {
    /// `model name` from /proc/cpuinfo (or "unknown").
    public var cpuModel: String
    /// Online processors.
    public var processorCount: Int
    /// The 1-minute load average when the run ended (nil where unavailable): a loaded machine
    /// inflates wall-clock times.
    public var loadAverage: Double?
    /// OpenBLAS config string and core name.
    public var blas: BLASInfo
    /// OpenBLAS threads and QJL scoring threads used.
    public var threads: Int
    /// The QJL scoring path requested.
    public var scoringPath: ScoringPath
    /// Whether that path's AVX-512 kernel ran (`.vectorized` falls back to `.lookupTable` without it).
    public var vectorizedKernelAvailable: Bool
    /// `git rev-parse --short HEAD`, or "unknown".
    public var gitRevision: String
    /// The toolkit version.
    public var toolkitVersion: String

    /// The current machine.
    public static func current(threads: Int, scoringPath: ScoringPath) -> MachineDescription {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let loadText = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return MachineDescription(
            cpuModel: model, processorCount: ProcessInfo.processInfo.activeProcessorCount,
            loadAverage: loadText.split(separator: " ").first.flatMap { Double($0) },
            blas: .current, threads: threads, scoringPath: scoringPath,
            vectorizedKernelAvailable: QJLScoring.vectorizedKernelAvailable,
            gitRevision: RunManifest.currentGitRevision(), toolkitVersion: ToolkitVersion.current)
    }
}

extension RuntimeReport {
    /// The stdout table: one row per (n, method), ms per operation and the ratio to exact.
    /// ```
    /// n | method | quantize ms | × exact | generate ms | × exact | output rel. err
    /// ```
    public var table: TextTable {
        var table = TextTable(headers: ["n", "method", "quantize ms", "× exact", "generate ms", "× exact", "output rel. err"])
        for row in rows {
            table.append([
                "\(row.length)", row.method.rawValue,
                NumberFormat.significant(row.quantizeMilliseconds, digits: 3),
                NumberFormat.fixed(row.quantizeRatioToExact, decimals: 2),
                NumberFormat.significant(row.generateMilliseconds, digits: 3),
                NumberFormat.fixed(row.generateRatioToExact, decimals: 2),
                row.method == .exact ? "0" : NumberFormat.significant(row.outputRelativeError, digits: 2),
            ])
        }
        return table
    }

    /// The header lines printed above the table: settings and machine.
    public var summary: String {
        let c = configuration, m = machine
        return """
        exp-runtime: one attention head, d = \(c.headDimension), Float; median of \(c.repeats) after \(c.warmups) warm-up
        QJL: m = \(c.sketchDimension), outliers \(c.outlierCount), key group \(c.keyGroupSize), buffer \(c.bufferSize), values \(c.valueBits) bits / group \(c.valueGroupSize), scoring \(c.scoringPath.rawValue)\(c.scoringPath == .vectorized && !m.vectorizedKernelAvailable ? " (no AVX-512: lookupTable)" : "")
        KIVI: keys and values \(c.valueBits) bits, key group \(c.keyGroupSize), value group \(c.valueGroupSize), residual \(c.bufferSize)
        machine: \(m.cpuModel), \(m.processorCount) CPUs, load \(m.loadAverage.map { NumberFormat.fixed($0, decimals: 1) } ?? "?"); OpenBLAS \(m.blas.coreName), \(m.threads) thread(s)

        """
    }

    /// The `--csv` table: the table's columns plus every sample.
    public var csv: CSVTable {
        var csv = CSVTable(header: ["n", "method", "quantize_ms", "quantize_ratio", "generate_ms", "generate_ratio",
                                    "output_relative_error", "quantize_samples_ms", "generate_samples_ms"])
        for row in rows {
            csv.append([
                "\(row.length)", row.method.rawValue,
                NumberFormat.significant(row.quantizeMilliseconds, digits: 6),
                NumberFormat.significant(row.quantizeRatioToExact, digits: 6),
                NumberFormat.significant(row.generateMilliseconds, digits: 6),
                NumberFormat.significant(row.generateRatioToExact, digits: 6),
                NumberFormat.significant(row.outputRelativeError, digits: 6),
                row.quantizeSamples.map { NumberFormat.significant($0, digits: 6) }.joined(separator: " "),
                row.generateSamples.map { NumberFormat.significant($0, digits: 6) }.joined(separator: " "),
            ])
        }
        return csv
    }

    /// The JSON document: `{"experiment", "note", "configuration", "machine", "rows"}`, keys sorted.
    /// It holds wall-clock timings, so it differs between runs and machines by nature.
    /// - Throws: ``RuntimeError/output(path:reason:)`` if encoding fails (non-finite numbers).
    public func json() throws(RuntimeError) -> [UInt8] {
        struct Document: Encodable {
            let experiment = "exp-runtime"
            let note = "wall-clock timings (ms, ContinuousClock): they vary between runs and machines; read them with the machine block"
            let configuration: RuntimeConfiguration
            let machine: MachineDescription
            let rows: [RuntimeRow]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return Array(try encoder.encode(Document(configuration: configuration, machine: machine, rows: rows))) + [10]
        } catch {
            throw .output(path: "JSON", reason: "\(error)")
        }
    }

    /// The `--plot` figure: two log–log panels (quantize, generate), time vs n, one line per method.
    /// - Throws: ``RuntimeError/output(path:reason:)`` if the plot cannot be built.
    public func plotSVG() throws(RuntimeError) -> String {
        let colors: [RuntimeMethod: Color] = [.exact: .black, .qjl: .blue, .kivi: .vermillion]
        do {
            var panels: [Plot] = []
            for (title, value) in [("Quantize the prompt (prefill)", \RuntimeRow.quantizeMilliseconds),
                                   ("Generate one token", \RuntimeRow.generateMilliseconds)] {
                var plot = Plot(title: title, xLabel: "sequence length n", yLabel: "time (ms)",
                                xScale: .log10, yScale: .log10, width: 480, height: 360)
                for method in RuntimeMethod.allCases {
                    let selected = rows.filter { $0.method == method }
                    try plot.line(x: selected.map { Double($0.length) }, y: selected.map { $0[keyPath: value] },
                                  label: method.rawValue, color: colors[method], markers: true)
                }
                panels.append(plot)
            }
            let c = configuration
            return try Figure(rows: 1, columns: 2, panels: panels,
                              title: "Attention runtime on CPU, d = \(c.headDimension) (QJL m = \(c.sketchDimension), KIVI \(c.valueBits)-bit)")
                .render()
        } catch {
            throw .output(path: "plot", reason: "\(error)")
        }
    }
}

/// Output files of `exp-runtime`, written atomically (`AtomicFile`).
public enum RuntimeOutput {
    /// Checks before the (long) run that `path` could be written.
    /// - Throws: ``RuntimeError/output(path:reason:)``.
    public static func checkWritable(_ path: String, overwrite: Bool) throws(RuntimeError) {
        do { try AtomicFile.checkWritable(path: path, overwrite: overwrite ? .replace : .refuseExisting) } catch {
            throw outputError(path, error)
        }
    }

    /// The file error as a runtime error, worded as every `exp-*` tool words it (an existing
    /// file names `--overwrite`).
    static func outputError(_ path: String, _ error: FileError) -> RuntimeError {
        if case .alreadyExists = error {
            return .output(path: path, reason: "output file '\(path)' already exists: pass --overwrite to replace it")
        }
        return .output(path: path, reason: error.description)
    }

    /// Writes `bytes` to `path` atomically.
    /// - Throws: ``RuntimeError/output(path:reason:)``.
    /// - Complexity: O(bytes).
    public static func write(_ bytes: [UInt8], to path: String, overwrite: Bool) throws(RuntimeError) {
        do { try AtomicFile.write(bytes, to: path, overwrite: overwrite ? .replace : .refuseExisting) } catch {
            throw outputError(path, error)
        }
    }
}
