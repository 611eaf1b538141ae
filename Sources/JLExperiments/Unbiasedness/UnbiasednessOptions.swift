import ArgumentParser
import JLExperimentKit

/// The command-line options of exp-unbiasedness (besides `JLExperimentKit.CommonOptions`).
public struct UnbiasednessOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("dimension"), help: "Input dimension d (≥ 2).")
    public var dimension: Int = 128

    @Option(name: .customLong("sketch-dimension"), help: "Sketch dimension m (≥ 1).")
    public var sketchDimension: Int = 128

    @Option(help: "Comma-separated transform specs (gaussian, orthogonal-sqrtd|chi|expectedchi, srht, srht-dct, gaussian-hd, sparse-<s>).")
    public var transforms: String = UnbiasednessExperiment.defaultTransforms.joined(separator: ",")

    @Option(help: "Comma-separated estimators: qjl-derived, qjl-paper, simhash, jl.")
    public var estimators: String = UnbiasednessEstimator.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Comma-separated angles θ between q and k, in degrees (0…180).")
    public var angles: String = "0,60,90"

    @Option(name: .customLong("pair-seed"), help: "Seed of the fixed generic q/k pair (independent of --seed).")
    public var pairSeed: UInt64 = UnbiasednessExperiment.defaultPairSeed

    @Flag(name: .customLong("no-rotation-shortcut"), help: "Apply the real Gaussian/orthogonal transforms to the vectors instead of the exact-in-law two-column shortcut (slower).")
    public var noRotationShortcut = false

    public init() {}

    public func validate() throws {
        do { _ = try experiment() } catch { throw ValidationError(error.description) }
    }

    /// The experiment these options describe.
    /// - Throws: `JLExperimentKit.ExperimentError.invalidOption(_:)` naming the bad value.
    public func experiment() throws(ExperimentError) -> UnbiasednessExperiment {
        guard dimension >= 2 else { throw .invalidOption("--dimension must be ≥ 2 (pairs use e₁ and e₂), got \(dimension)") }
        guard sketchDimension >= 1 else { throw .invalidOption("--sketch-dimension must be ≥ 1, got \(sketchDimension)") }
        guard dimension <= 1 << 14, sketchDimension <= 1 << 16 else {
            throw .invalidOption("--dimension ≤ 16384 and --sketch-dimension ≤ 65536 for this experiment, got d = \(dimension), m = \(sketchDimension)")
        }
        let transformList = try ListOption.split(transforms, name: "--transforms")
        var estimatorList: [UnbiasednessEstimator] = []
        for name in try ListOption.split(estimators, name: "--estimators") {
            guard let estimator = UnbiasednessEstimator(rawValue: name) else {
                throw .invalidOption("--estimators: unknown estimator '\(name)'; valid: \(UnbiasednessEstimator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            estimatorList.append(estimator)
        }
        var angleList: [Double] = []
        for text in try ListOption.split(angles, name: "--angles") {
            guard let angle = Double(text), angle.isFinite, angle >= 0, angle <= 180 else {
                throw .invalidOption("--angles: '\(text)' is not an angle in [0, 180] degrees")
            }
            angleList.append(angle)
        }
        let cases = try UnbiasednessExperiment.defaultCases(
            transforms: transformList, estimators: estimatorList, angles: angleList,
            inputDimension: dimension, sketchDimension: sketchDimension)
        return try UnbiasednessExperiment(
            inputDimension: dimension, sketchDimension: sketchDimension, cases: cases, pairSeed: pairSeed,
            rotationShortcut: !noRotationShortcut)
    }
}

/// Comma-separated list options.
enum ListOption {
    /// Splits on commas, trims spaces; refuses an empty list or an empty item.
    static func split(_ text: String, name: String) throws(ExperimentError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0.trimmingSpaces) }
        guard !items.isEmpty, items.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidOption("\(name) needs a comma-separated list without empty items, got '\(text)'")
        }
        return items
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
