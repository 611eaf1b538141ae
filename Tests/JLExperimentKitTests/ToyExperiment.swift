import Foundation
import JLExperimentKit
import JLRandom

/// Toy experiment: estimate P(Z > 1) for Z ~ N(0, 1) from `samplesPerTrial` Gaussians of each
/// trial's stream. Theory: 1 − Φ(1) = 0.158655253931457051 (erfc(1/√2)/2).
struct TailProbabilityExperiment: Experiment {
    static let name = "exp-toy-tail"
    static let blockSize = 7  // odd, so the last block is usually partial
    static let defaultTrials = 100
    static let theory = 0.158655253931457051

    var samplesPerTrial: Int = 16

    var transformSpecs: [String] { ["none"] }

    struct Accumulator: Codable, Sendable, Equatable {
        var samples = 0
        var exceedances = 0
        var sum = 0.0
        var sumOfSquares = 0.0
    }

    struct Report: Codable, Sendable, Equatable {
        var samples: Int
        var exceedances: Int
        var tailProbability: Double
        var mean: Double
        var secondMoment: Double
        var theory: Double
    }

    func runBlock(_ block: TrialBlock) throws(ExperimentError) -> Accumulator {
        var accumulator = Accumulator()
        for trial in block.trials {
            let stream = block.stream(forTrial: trial)
            for index in 0..<samplesPerTrial {
                let z = stream.gaussian(at: UInt64(index))
                let value = block.precision == .float ? Double(Float(z)) : z
                accumulator.samples += 1
                if value > 1 { accumulator.exceedances += 1 }
                accumulator.sum += value
                accumulator.sumOfSquares += value * value
            }
        }
        return accumulator
    }

    func finalize(_ blocks: [Accumulator], manifest: RunManifest) throws(ExperimentError) -> Report {
        var total = Accumulator()
        for block in blocks {
            total.samples += block.samples
            total.exceedances += block.exceedances
            total.sum += block.sum
            total.sumOfSquares += block.sumOfSquares
        }
        let n = Double(total.samples)
        return Report(
            samples: total.samples, exceedances: total.exceedances,
            tailProbability: Double(total.exceedances) / n, mean: total.sum / n,
            secondMoment: total.sumOfSquares / n, theory: Self.theory)
    }

    func table(for report: Report, manifest: RunManifest) -> TextTable {
        TextTable(headers: ["quantity", "theory", "empirical"], rows: [
            ["P(Z > 1)", NumberFormat.significant(report.theory, digits: 6), NumberFormat.significant(report.tailProbability, digits: 6)],
            ["E[Z]", "0", NumberFormat.significant(report.mean, digits: 6)],
            ["E[Z²]", "1", NumberFormat.significant(report.secondMoment, digits: 6)],
        ])
    }

    func plot(for report: Report, manifest: RunManifest) -> String? {
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>\(report.tailProbability)</text></svg>\n"
    }
}

/// An experiment whose blocks always fail: proves that a refusal happened before any block ran.
struct FailingExperiment: Experiment {
    static let name = "exp-toy-failing"
    static let blockSize = 5
    static let defaultTrials = 10

    func runBlock(_ block: TrialBlock) throws(ExperimentError) -> Int {
        throw .experimentFailed("block \(block.index) ran")
    }

    func finalize(_ blocks: [Int], manifest: RunManifest) throws(ExperimentError) -> Int { blocks.reduce(0, +) }

    func table(for report: Int, manifest: RunManifest) -> TextTable { TextTable(headers: ["sum"], rows: [["\(report)"]]) }
}

/// A scratch directory removed when the value goes away.
final class ScratchDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/jlexp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func contents() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: file(name))) }
}

/// Parses `arguments` as the toy executable would and runs a session.
@discardableResult
func runToy(_ arguments: [String]) async throws -> SessionOutcome {
    try await runToy(TailProbabilityExperiment(), arguments)
}

/// Parses `arguments` as an executable for `experiment` would and runs a session.
@discardableResult
func runToy<E: Experiment>(_ experiment: E, _ arguments: [String]) async throws -> SessionOutcome {
    let options = try CommonOptions.parse(arguments)
    let settings = try options.settings()
    let session = ExperimentSession(
        experiment: experiment, settings: settings, arguments: ["/some/path/\(E.name)"] + arguments,
        gitRevision: "test-revision")
    return try await session.execute()
}

func registry() -> ExperimentRegistry {
    var registry = ExperimentRegistry()
    registry.register(TailProbabilityExperiment.self)
    registry.register(FailingExperiment.self)
    return registry
}

/// Records the first stream word of every trial, in the order finalize sees them; early blocks
/// sleep longest, so with several threads the blocks finish out of order.
struct OrderRecordingExperiment: Experiment {
    static let name = "exp-toy-order"
    static let blockSize = 3
    static let defaultTrials = 30

    func runBlock(_ block: TrialBlock) throws(ExperimentError) -> [UInt32] {
        let blockCount = (Self.defaultTrials + Self.blockSize - 1) / Self.blockSize
        usleep(UInt32(2_000 * (blockCount - block.index)))
        return block.trials.map { block.stream(forTrial: $0).word(0) }
    }

    func finalize(_ blocks: [[UInt32]], manifest: RunManifest) throws(ExperimentError) -> [UInt32] {
        blocks.flatMap { $0 }
    }

    func table(for report: [UInt32], manifest: RunManifest) -> TextTable {
        TextTable(headers: ["word"], rows: report.map { ["\($0)"] })
    }
}
