import JLLinearAlgebra
import JLRandom

/// The fast orthogonal mixing matrix M used by ``SRHT`` and ``GaussianHD``.
///
/// ```
/// hadamard   M = H_d/√d, H_d the Sylvester Walsh–Hadamard matrix, M[k, j] = (−1)^popcount(k & j)/√d
///            (d must be a power of two)
/// dct        M = C, the orthonormal DCT-II, C[k, j] = s_k·cos(π(j + ½)k/d), s_0 = √(1/d), s_k = √(2/d)
/// automatic  hadamard when d is a power of two, dct otherwise
/// ```
/// Both are orthogonal and cost O(d log d) per vector; no padding to a power of two is ever done.
public enum MixingTransform: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Walsh–Hadamard (power-of-two d only).
    case hadamard
    /// Orthonormal DCT-II (any d).
    case dct
    /// Hadamard for power-of-two d, DCT otherwise.
    case automatic

    public var description: String { rawValue }

    /// The concrete mixing for input dimension d (never `.automatic`).
    /// - Throws: ``TransformError/invalidOption(_:)`` for `.hadamard` with d not a power of two.
    public func resolved(inputDimension d: Int) throws(TransformError) -> MixingTransform {
        switch self {
        case .hadamard:
            guard WalshHadamard.isPowerOfTwo(d) else {
                throw .invalidOption(
                    "mixing 'hadamard' needs a power-of-two input dimension, got d = \(d); use 'dct' or 'automatic'")
            }
            return .hadamard
        case .dct: return .dct
        case .automatic: return WalshHadamard.isPowerOfTwo(d) ? .hadamard : .dct
        }
    }
}

/// y = scale·M·D·x with D = diag(ε), ε_j = `signStream.rademacher(at: j)`, M a ``MixingTransform``.
/// Immutable; the DCT plan is shared and executed with FFTW's thread-safe new-array API.
struct RandomSignMixing<Scalar: LinearAlgebraScalar>: Sendable {
    let dimension: Int
    let mixing: MixingTransform
    /// ε_j ∈ {−1, +1}.
    let signs: [Scalar]
    let dctPlan: DCTPlan<Scalar>?

    /// `mixing` must already be resolved (hadamard or dct) and valid for d.
    init(dimension d: Int, mixing: MixingTransform, signStream: RandomStream, dctPlan: DCTPlan<Scalar>?) {
        assert(mixing != .automatic && (mixing == .dct) == (dctPlan != nil))
        self.dimension = d
        self.mixing = mixing
        self.signs = (0..<d).map { Scalar(signStream.rademacher(at: UInt64($0))) }
        self.dctPlan = dctPlan
    }

    /// Plans the DCT when `mixing == .dct`.
    static func plan(for mixing: MixingTransform, dimension d: Int) throws(TransformError) -> DCTPlan<Scalar>? {
        guard mixing == .dct else { return nil }
        do { return try DCTPlan<Scalar>(length: d) } catch { throw .linearAlgebra(error) }
    }

    /// `output = scale·M·D·input`; `workspace` has length d. For Hadamard the FWHT is
    /// unnormalized, so the factor applied is scale/√d (exactly 1 for the SRHT's scale √d).
    /// - Complexity: O(d log d).
    /// - Note: pre-specialized for Float and Double; calls through `any JLTransform<Scalar>`
    ///   would otherwise run the unspecialized generic loop.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func apply(_ input: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>,
               workspace: UnsafeMutableBufferPointer<Scalar>, scale: Double) {
        let d = dimension
        signs.withUnsafeBufferPointer { eps in
            for j in 0..<d { workspace[j] = eps[j] * input[j] }
        }
        if let plan = dctPlan {
            plan.forward(workspace, into: output)
            if scale != 1 {
                let factor = Scalar(scale)
                for k in 0..<d { output[k] *= factor }
            }
        } else {
            WalshHadamard.transformUnchecked(workspace)
            let factor = Scalar(scale / Double(d).squareRoot())
            if factor == 1 {
                for k in 0..<d { output[k] = workspace[k] }
            } else {
                for k in 0..<d { output[k] = workspace[k] * factor }
            }
        }
    }

    /// Entry (k, j) of scale·M·D in Double, from the closed form (not the fast transform).
    /// For Hadamard the factor is scale/√d, exactly 1 when scale = √d (entries exactly ±1).
    func entry(row k: Int, column j: Int, scale: Double) -> Double {
        let d = dimension
        let sign = Double(signs[j])
        switch mixing {
        case .hadamard:
            let factor = scale / Double(d).squareRoot()
            return sign * ((k & j).nonzeroBitCount % 2 == 0 ? factor : -factor)
        default:
            let s = k == 0 ? (1 / Double(d)).squareRoot() : (2 / Double(d)).squareRoot()
            return scale * sign * s * Double.cos(Double.pi * (Double(j) + 0.5) * Double(k) / Double(d))
        }
    }
}
