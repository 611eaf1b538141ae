import Foundation
import JLRandom

/// Which unit query/key pair a row of exp-unbiasedness estimates ⟨q,k⟩ for. Every pair has
/// ‖q‖ = ‖k‖ = 1 and ⟨q,k⟩ = cos θ:
///
/// ```
/// generic(θ):   k = k̂ (a fixed random unit vector), q = cos θ·k̂ + sin θ·û, û ⟂ k̂ fixed random
/// basisKey(θ):  k = e₁ (coordinate-aligned), q = cos θ·e₁ + sin θ·e₂
/// flatKey(θ):   k = (1, …, 1)/√d,            q = cos θ·k + sin θ·(e₁ − e₂)/√2
/// ```
/// For rotation-invariant sketches (Gaussian, Haar-orthogonal rows) all three have the same law.
/// For SRHT and sparse sketches they do not: the basis key gives the √(π/2) = 1.2533 bias and
/// the flat key 0.99805 at d = 128 (theory.md §2.5). The generic pair is drawn once from
/// `RandomStream(seed: pairSeed).child("UnbiasednessPairs")`, independent of `--seed`.
public enum UnbiasednessPair: Codable, Sendable, Hashable, CustomStringConvertible {
    /// A fixed random pair at angle θ (degrees).
    case generic(angleDegrees: Double)
    /// k = e₁, q at angle θ (degrees) in span(e₁, e₂).
    case basisKey(angleDegrees: Double)
    /// k = 1/√d, q at angle θ (degrees).
    case flatKey(angleDegrees: Double)

    /// θ in degrees.
    public var angleDegrees: Double {
        switch self {
        case let .generic(angle), let .basisKey(angle), let .flatKey(angle): angle
        }
    }

    /// (cos θ, sin θ), exact at 0°, 60°, 90°, 120°, 180° so that q ⟂ k gives ⟨q,k⟩ = 0 exactly.
    public var cosineAndSine: (cosine: Double, sine: Double) {
        let angle = angleDegrees
        switch angle {
        case 0: return (1, 0)
        case 60: return (0.5, (0.75).squareRoot())
        case 90: return (0, 1)
        case 120: return (-0.5, (0.75).squareRoot())
        case 180: return (-1, 0)
        default:
            let radians = angle * Double.pi / 180
            return (cos(radians), sin(radians))
        }
    }

    /// ⟨q,k⟩ = cos θ (the target of every estimator).
    public var innerProduct: Double { cosineAndSine.cosine }

    public var description: String {
        let angle = NumberFormatShort.angle(angleDegrees)
        switch self {
        case .generic: return "θ=\(angle)"
        case .basisKey: return "k=e₁ θ=\(angle)"
        case .flatKey: return "k=1/√d θ=\(angle)"
        }
    }

    /// The vectors (q, k) in R^d (d ≥ 2).
    /// - Complexity: O(d).
    public func vectors(inputDimension d: Int, pairSeed: UInt64) -> (query: [Double], key: [Double]) {
        let (c, s) = cosineAndSine
        var key = [Double](repeating: 0, count: d)
        var orthogonal = [Double](repeating: 0, count: d)
        switch self {
        case .generic:
            (key, orthogonal) = UnbiasednessPairs.randomOrthonormalPair(dimension: d, seed: pairSeed)
        case .basisKey:
            key[0] = 1
            orthogonal[1] = 1
        case .flatKey:
            key = [Double](repeating: 1 / Double(d).squareRoot(), count: d)
            orthogonal[0] = (0.5).squareRoot()
            orthogonal[1] = -(0.5).squareRoot()
        }
        let query = (0..<d).map { c * key[$0] + s * orthogonal[$0] }
        return (query, key)
    }
}

/// Fixed random vectors for the experiments (private to this module; the shared generators live
/// in `Inputs/`).
enum UnbiasednessPairs {
    /// Two orthonormal vectors: Gram–Schmidt of the Gaussian vectors
    /// `stream.gaussian(at: j)` and `stream.gaussian(at: d + j)`,
    /// `stream = RandomStream(seed: seed).child("UnbiasednessPairs")`.
    static func randomOrthonormalPair(dimension d: Int, seed: UInt64) -> ([Double], [Double]) {
        let stream = RandomStream(seed: seed).child("UnbiasednessPairs")
        let first = stream.gaussians(d, startingAt: 0, as: Double.self)
        let second = stream.gaussians(d, startingAt: UInt64(d), as: Double.self)
        return gramSchmidt(first, second)
    }

    /// (g₁/‖g₁‖, (g₂ − ⟨g₂,v₁⟩v₁)/‖·‖).
    static func gramSchmidt(_ first: [Double], _ second: [Double]) -> ([Double], [Double]) {
        let norm1 = first.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let v1 = first.map { $0 / norm1 }
        let projection = zip(second, v1).reduce(0) { $0 + $1.0 * $1.1 }
        let residual = zip(second, v1).map { $0 - projection * $1 }
        let norm2 = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return (v1, residual.map { $0 / norm2 })
    }
}

/// Short number formats for labels.
enum NumberFormatShort {
    /// "90°", "60°", "37.5°".
    static func angle(_ degrees: Double) -> String {
        degrees == degrees.rounded() ? "\(Int(degrees))°" : "\(degrees)°"
    }
}
