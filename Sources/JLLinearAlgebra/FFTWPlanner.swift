import Synchronization

/// The one piece of process-wide mutable state in JLSketch: FFTW's planner.
///
/// FFTW's planner is not thread-safe (plan creation and destruction from two threads at once
/// crashes), while executing an existing plan on new arrays is. Every plan creation and
/// destruction therefore goes through this single lock. Plans are made with `FFTW_ESTIMATE`
/// (deterministic: `FFTW_MEASURE` may choose different algorithms run to run) and
/// `FFTW_UNALIGNED` (so they can be executed on any arrays).
public enum FFTWPlanner {
    static let lock = Mutex<Void>(())

    /// Runs `body` while holding the planner lock.
    static func withLock<Result>(_ body: () -> Result) -> Result {
        lock.withLock { _ in body() }
    }
}

/// An immutable FFTW real-to-real plan for the orthonormal DCT-II of length n and its inverse
/// (the orthonormal DCT-III). Build once, execute many times, from any thread.
///
/// ```
/// X_k = s_k · Σ_{j<n} x_j cos(π (j + ½) k / n),   s_0 = √(1/n),  s_k = √(2/n) (k ≥ 1)
/// ```
/// FFTW's REDFT10 is unnormalized (2× the sum); the scaling s_k/2 is applied here, so the
/// matrix is orthogonal: the inverse is its transpose (REDFT01 with the matching scaling).
///
/// - Complexity: O(n log n) per execution for any n (FFTW handles every length).
/// - Note: `@unchecked Sendable`: the plan pointers are written once at init and only read
///   afterwards; FFTW's new-array execute is thread-safe; destruction takes the planner lock.
public final class DCTPlan<Scalar: LinearAlgebraScalar>: @unchecked Sendable {
    /// The transform length n.
    public let length: Int
    private let forwardPlan: OpaquePointer
    private let inversePlan: OpaquePointer

    /// Plans the length-n orthonormal DCT-II and its inverse.
    public init(length: Int) throws(LinearAlgebraError) {
        guard length >= 1 else { throw .invalidDimension(name: "DCT length", value: length) }
        let n = try blasInt(length, "DCT length")
        let plans = FFTWPlanner.withLock { () -> (OpaquePointer?, OpaquePointer?) in
            (Scalar.fftwPlanDCTII(length: n), Scalar.fftwPlanDCTIII(length: n))
        }
        guard let forward = plans.0, let inverse = plans.1 else {
            FFTWPlanner.withLock {
                if let plan = plans.0 { Scalar.fftwDestroy(plan) }
                if let plan = plans.1 { Scalar.fftwDestroy(plan) }
            }
            throw .fftwPlanFailure(length: length)
        }
        self.length = length
        self.forwardPlan = forward
        self.inversePlan = inverse
    }

    deinit {
        let forward = forwardPlan, inverse = inversePlan
        FFTWPlanner.withLock {
            Scalar.fftwDestroy(forward)
            Scalar.fftwDestroy(inverse)
        }
    }

    /// Orthonormal DCT-II of `input` into `output` (both of length n, distinct buffers).
    @inlinable
    public func forward(_ input: UnsafeMutableBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>) {
        executeForward(input, output)
    }

    /// Orthonormal DCT-III (the inverse of ``forward(_:into:)``) of `input` into `output`.
    @inlinable
    public func inverse(_ input: UnsafeMutableBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>) {
        executeInverse(input, output)
    }

    /// Orthonormal DCT-II of a vector of length n.
    public func forward(_ x: [Scalar]) throws(LinearAlgebraError) -> [Scalar] {
        guard x.count == length else { throw .shapeMismatch("DCT of length \(length) applied to \(x.count) entries") }
        var input = x
        var output = [Scalar](repeating: 0, count: length)
        input.withUnsafeMutableBufferPointer { pi in
            output.withUnsafeMutableBufferPointer { po in executeForward(pi, po) }
        }
        return output
    }

    /// Orthonormal DCT-III (inverse DCT-II) of a vector of length n.
    public func inverse(_ x: [Scalar]) throws(LinearAlgebraError) -> [Scalar] {
        guard x.count == length else { throw .shapeMismatch("DCT of length \(length) applied to \(x.count) entries") }
        var input = x
        var output = [Scalar](repeating: 0, count: length)
        input.withUnsafeMutableBufferPointer { pi in
            output.withUnsafeMutableBufferPointer { po in executeInverse(pi, po) }
        }
        return output
    }

    @usableFromInline
    func executeForward(_ input: UnsafeMutableBufferPointer<Scalar>, _ output: UnsafeMutableBufferPointer<Scalar>) {
        guard let pi = input.baseAddress, let po = output.baseAddress, input.count >= length, output.count >= length else { return }
        Scalar.fftwExecute(forwardPlan, input: pi, output: po)
        let n = Scalar(length)
        let first = (1 / (4 * n)).squareRoot()
        let rest = (1 / (2 * n)).squareRoot()
        po[0] *= first
        for k in 1..<length { po[k] *= rest }
    }

    @usableFromInline
    func executeInverse(_ input: UnsafeMutableBufferPointer<Scalar>, _ output: UnsafeMutableBufferPointer<Scalar>) {
        guard let pi = input.baseAddress, let po = output.baseAddress, input.count >= length, output.count >= length else { return }
        // REDFT01: y_j = x_0 + 2 Σ_{k≥1} x_k cos(π k (j+½)/n). With X_0 scaled by √(1/n) and
        // X_k by √(2/n) in the forward direction, the inverse needs x_0·√(1/n), x_k·√(1/(2n)).
        let n = Scalar(length)
        let saved0 = pi[0]
        let savedRest = Array(UnsafeBufferPointer(start: pi + 1, count: length - 1))
        pi[0] *= (1 / n).squareRoot()
        let rest = (1 / (2 * n)).squareRoot()
        for k in 1..<length { pi[k] *= rest }
        Scalar.fftwExecute(inversePlan, input: pi, output: po)
        // Restore the caller's input (FFTW out-of-place r2r leaves it intact; our scaling did not).
        pi[0] = saved0
        for k in 1..<length { pi[k] = savedRest[k - 1] }
    }
}
