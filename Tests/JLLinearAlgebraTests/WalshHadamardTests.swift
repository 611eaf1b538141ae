import Testing
@testable import JLLinearAlgebra

/// The fast Walsh–Hadamard transform against the explicit Sylvester matrix.
struct WalshHadamardTests {
    static let lengths = (0...10).map { 1 << $0 }

    /// Small integers: every partial sum is an integer ≤ 8·1024, exact in Float and Double, so
    /// the comparison is exact equality.
    static func checkAgainstSylvester<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        var data = TestData(seed: 20)
        for n in lengths {
            let x = (0..<n).map { _ in Scalar(Int(data.nextWord() % 17) - 8) }
            var y = x
            try WalshHadamard.transform(&y)
            var expected = [Scalar](repeating: 0, count: n)
            for i in 0..<n {
                var sum = 0.0
                for j in 0..<n { sum += Naive.hadamard(i, j) * Double(x[j]) }
                expected[i] = Scalar(sum)
            }
            #expect(y == expected, "n = \(n), \(Scalar.self)")
            // H·H = n·I.
            try WalshHadamard.transform(&y)
            #expect(y == x.map { $0 * Scalar(n) }, "involution, n = \(n)")
        }
    }

    @Test func matchesSylvesterProductDouble() throws { try Self.checkAgainstSylvester(Double.self) }
    @Test func matchesSylvesterProductFloat() throws { try Self.checkAgainstSylvester(Float.self) }

    /// Real inputs: Float and Double agree within the Float rounding of log₂n levels of sums,
    /// |Δ| ≤ log₂(n)·u·n·max|x| plus input rounding.
    @Test func floatAndDoubleAgree() throws {
        var data = TestData(seed: 21)
        for n in [2, 8, 128, 1024] {
            var xd: [Double] = data.vector(n)
            var xf = xd.map { Float($0) }
            try WalshHadamard.transform(&xd)
            try WalshHadamard.transform(&xf)
            let levels = Double(n.trailingZeroBitCount + 1)
            let tolerance = levels * Double(Float.ulpOfOne) * Double(n)
            for i in 0..<n { #expect(abs(Double(xf[i]) - xd[i]) <= tolerance) }
        }
    }

    @Test func nonPowerOfTwoThrows() {
        for n in [0, 3, 6, 12, 100, 1000, 1023, 1025] {
            var x = [Double](repeating: 1, count: n)
            #expect(throws: LinearAlgebraError.shapeMismatch("FWHT needs a power-of-two length, got \(n)")) {
                try WalshHadamard.transform(&x)
            }
            #expect(x == [Double](repeating: 1, count: n), "input untouched on error")
        }
        #expect(WalshHadamard.isPowerOfTwo(1) && WalshHadamard.isPowerOfTwo(1 << 40))
        #expect(!WalshHadamard.isPowerOfTwo(0) && !WalshHadamard.isPowerOfTwo(-4) && !WalshHadamard.isPowerOfTwo(6))
    }

    @Test func uncheckedHandlesTrivialBuffers() {
        var empty = [Float]()
        empty.withUnsafeMutableBufferPointer { WalshHadamard.transformUnchecked($0) }
        #expect(empty.isEmpty)
        var one: [Float] = [3]
        one.withUnsafeMutableBufferPointer { WalshHadamard.transformUnchecked($0) }
        #expect(one == [3])
    }

    /// The unit vector e_j maps to column j of H: check a few columns at n = 256.
    @Test func unitVectorsGiveHadamardColumns() throws {
        let n = 256
        for j in [0, 1, 77, 255] {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            try WalshHadamard.transform(&e)
            #expect(e == (0..<n).map { Naive.hadamard($0, j) })
        }
    }
}

extension WalshHadamardTests {
    /// The exact bits of each entry (so −0 and +0 differ), for bit-identity checks.
    static func bits<Scalar: BinaryFloatingPoint>(_ x: [Scalar]) -> [String] {
        x.map { "\($0.sign)\($0.exponentBitPattern):\($0.significandBitPattern)" }
    }

    /// Reference radix-2 loop: stage half = 1, 2, 4, …, butterfly (a + b, a − b).
    static func radix2<Scalar: BinaryFloatingPoint>(_ x: [Scalar]) -> [Scalar] {
        var y = x
        var half = 1
        while half < y.count {
            for start in stride(from: 0, to: y.count, by: 2 * half) {
                for i in start..<(start + half) {
                    let a = y[i], b = y[i + half]
                    y[i] = a + b
                    y[i + half] = a - b
                }
            }
            half *= 2
        }
        return y
    }

    /// The SIMD / fused radix-4 paths perform the same roundings in the same order as the plain
    /// radix-2 loop, so on real (non-integer) inputs the results are bit-identical — this pins
    /// reproducibility across code paths, lengths and precisions.
    static func checkBitIdenticalToRadix2<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        var data = TestData(seed: 22)
        for n in (0...12).map({ 1 << $0 }) {
            let x: [Scalar] = data.vector(n).map { $0 * 1000 }
            var y = x
            try WalshHadamard.transform(&y)
            #expect(Self.bits(y) == Self.bits(radix2(x)), "n = \(n), \(Scalar.self)")
            // An unaligned sub-buffer (offset by one element) takes the same path.
            var shifted = [Scalar(0)] + x
            shifted.withUnsafeMutableBufferPointer { WalshHadamard.transformUnchecked(UnsafeMutableBufferPointer(rebasing: $0[1...])) }
            #expect(Self.bits(Array(shifted[1...])) == Self.bits(radix2(x)), "unaligned n = \(n)")
        }
    }

    @Test func bitIdenticalToRadix2Double() throws { try Self.checkBitIdenticalToRadix2(Double.self) }
    @Test func bitIdenticalToRadix2Float() throws { try Self.checkBitIdenticalToRadix2(Float.self) }
}
