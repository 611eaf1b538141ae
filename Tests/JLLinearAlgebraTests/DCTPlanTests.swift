import Dispatch
import Synchronization
import Testing
@testable import JLLinearAlgebra

/// The orthonormal DCT-II plan and its inverse (FFTW REDFT10/REDFT01 with our scaling).
struct DCTPlanTests {
    static let lengths = [1, 2, 3, 5, 12, 100, 127]

    /// Column j of the forward matrix is forward(e_j); returns C with C[k][j].
    static func materialize<Scalar: LinearAlgebraScalar>(
        _ plan: DCTPlan<Scalar>, inverse: Bool = false
    ) throws -> [[Double]] {
        let n = plan.length
        var c = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n {
            var e = [Scalar](repeating: 0, count: n)
            e[j] = 1
            let column = inverse ? try plan.inverse(e) : try plan.forward(e)
            for k in 0..<n { c[k][j] = Double(column[k]) }
        }
        return c
    }

    /// Tolerances: Double 1e-12, Float 1e-5 (FFTW's error is O(u·log n); 127·u·max|C| bounds
    /// the accumulated Gram entries with room to spare).
    static func tolerance<Scalar: LinearAlgebraScalar>(_: Scalar.Type) -> Double {
        Scalar.self == Double.self ? 1e-12 : 1e-5
    }

    static func checkOrthonormalAndClosedForm<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        let tol = tolerance(Scalar.self)
        for n in lengths {
            let plan = try DCTPlan<Scalar>(length: n)
            #expect(plan.length == n)
            let c = try materialize(plan)
            // Closed form X_k = s_k Σ x_j cos(π(j+½)k/n).
            for k in 0..<n {
                for j in 0..<n {
                    #expect(abs(c[k][j] - Naive.dct(k, j, n)) <= tol, "n \(n) C[\(k),\(j)] \(Scalar.self)")
                }
            }
            // CᵀC = I.
            var worst = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    var sum = 0.0
                    for k in 0..<n { sum += c[k][i] * c[k][j] }
                    worst = max(worst, abs(sum - (i == j ? 1 : 0)))
                }
            }
            #expect(worst <= tol, "n \(n): ‖CᵀC − I‖_max = \(worst) \(Scalar.self)")
            // The inverse is the transpose.
            let inverse = try materialize(plan, inverse: true)
            for k in 0..<n {
                for j in 0..<n { #expect(abs(inverse[j][k] - c[k][j]) <= tol, "n \(n) inverse \(Scalar.self)") }
            }
        }
    }

    @Test func orthonormalAndClosedFormDouble() throws { try Self.checkOrthonormalAndClosedForm(Double.self) }
    @Test func orthonormalAndClosedFormFloat() throws { try Self.checkOrthonormalAndClosedForm(Float.self) }

    static func checkRoundTrip<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        var data = TestData(seed: 30)
        for n in lengths {
            let plan = try DCTPlan<Scalar>(length: n)
            let x: [Scalar] = data.vector(n)
            let back = try plan.inverse(try plan.forward(x))
            for i in 0..<n { #expect(abs(Double(back[i]) - Double(x[i])) <= tolerance(Scalar.self)) }
            // Orthonormal ⇒ ‖Cx‖ = ‖x‖.
            let y = try plan.forward(x)
            let nx = x.reduce(0.0) { $0 + Double($1) * Double($1) }
            let ny = y.reduce(0.0) { $0 + Double($1) * Double($1) }
            #expect(abs(ny - nx) <= tolerance(Scalar.self) * max(1, nx))
            // The buffer API leaves its input intact and matches the array API.
            var input = x, output = [Scalar](repeating: 0, count: n)
            input.withUnsafeMutableBufferPointer { pi in
                output.withUnsafeMutableBufferPointer { po in plan.forward(pi, into: po) }
            }
            #expect(input == x && output == y)
            var inverseOutput = [Scalar](repeating: 0, count: n)
            output.withUnsafeMutableBufferPointer { pi in
                inverseOutput.withUnsafeMutableBufferPointer { po in plan.inverse(pi, into: po) }
            }
            #expect(output == y, "inverse must not modify its input")
            #expect(inverseOutput == back)
        }
    }

    @Test func roundTripDouble() throws { try Self.checkRoundTrip(Double.self) }
    @Test func roundTripFloat() throws { try Self.checkRoundTrip(Float.self) }

    @Test func invalidLengthsThrow() throws {
        #expect(throws: LinearAlgebraError.invalidDimension(name: "DCT length", value: 0)) { try DCTPlan<Double>(length: 0) }
        #expect(throws: LinearAlgebraError.self) { try DCTPlan<Float>(length: -3) }
        let plan = try DCTPlan<Double>(length: 4)
        #expect(throws: LinearAlgebraError.shapeMismatch("DCT of length 4 applied to 3 entries")) { try plan.forward([1, 2, 3]) }
        #expect(throws: LinearAlgebraError.self) { try plan.inverse([1, 2, 3, 4, 5]) }
    }

    @Test func floatAndDoubleAgree() throws {
        var data = TestData(seed: 31)
        for n in [3, 64, 127] {
            let xd: [Double] = data.vector(n)
            let yd = try DCTPlan<Double>(length: n).forward(xd)
            let yf = try DCTPlan<Float>(length: n).forward(xd.map { Float($0) })
            for k in 0..<n { #expect(abs(Double(yf[k]) - yd[k]) <= 1e-5) }
        }
    }

    final class Failures: Sendable {
        let count = Mutex(0)
        func add(_ n: Int) { count.withLock { $0 += n } }
    }

    /// Many threads create, use and destroy plans at once: planning is serialized by the
    /// FFTWPlanner lock, execution is FFTW's thread-safe new-array API. Crashes or wrong results fail.
    @Test func plansAreUsableConcurrently() {
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            var bad = 0
            for round in 0..<20 {
                let n = [2, 3, 5, 12, 100, 127, 64][(worker + round) % 7]
                do {
                    let plan = try DCTPlan<Double>(length: n)
                    let floatPlan = try DCTPlan<Float>(length: n)
                    var e = [Double](repeating: 0, count: n)
                    let j = (worker * 7 + round) % n
                    e[j] = 1
                    let column = try plan.forward(e)
                    let floatColumn = try floatPlan.forward(e.map { Float($0) })
                    let back = try plan.inverse(column)
                    for k in 0..<n {
                        if abs(column[k] - Naive.dct(k, j, n)) > 1e-12 { bad += 1 }
                        if abs(Double(floatColumn[k]) - Naive.dct(k, j, n)) > 1e-5 { bad += 1 }
                        if abs(back[k] - e[k]) > 1e-12 { bad += 1 }
                    }
                } catch {
                    bad += 1
                }
            }
            failures.add(bad)
        }
        #expect(failures.count.withLock { $0 } == 0)
    }
}
