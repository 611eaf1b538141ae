import Foundation
import Testing
@testable import JLLinearAlgebra

/// The AVX2 FWHT kernel (CJLKernels) against the Swift SIMD path it replaces: same bits.
struct WalshHadamardKernelTests {
    /// Lengths 1 … 2¹⁴ cover every branch of the kernel: the in-register blocks of 8…128 Floats
    /// (4…64 Doubles) and every combination of radix-8, radix-4 and radix-2 column passes.
    static let lengths = (0...14).map { 1 << $0 }

    static func check<Scalar: LinearAlgebraScalar>(
        _: Scalar.Type, portable: (UnsafeMutableBufferPointer<Scalar>) -> Void
    ) {
        var data = TestData(seed: 91)
        for n in lengths {
            // Real (non-integer) values of mixed sign and size, so every rounding shows, plus
            // signed zeros, whose signs ±0 + ±0 and ±0 − ±0 must also agree.
            var x: [Scalar] = (0..<n).map { _ in Scalar(data.nextGaussian() * 1000) }
            if n >= 4 { x[1] = -0.0; x[2] = 0.0; x[3] = -0.0 }
            var dispatched = x, reference = x
            dispatched.withUnsafeMutableBufferPointer { WalshHadamard.transformUnchecked($0) }
            reference.withUnsafeMutableBufferPointer { portable($0) }
            let same = zip(dispatched, reference).allSatisfy {
                $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
            }
            #expect(same, "n = \(n), \(Scalar.self), AVX2 \(KernelSupport.avx2)")
        }
    }

    @Test func floatKernelMatchesSwiftPath() {
        Self.check(Float.self) { WalshHadamard.transformFloatPortable($0) }
    }

    @Test func doubleKernelMatchesSwiftPath() {
        Self.check(Double.self) { WalshHadamard.transformDoublePortable($0) }
    }

    /// The cpuid check agrees with the kernel's flags in /proc/cpuinfo (Linux), so the
    /// comparisons above really exercise the AVX2 kernel on an AVX2 machine.
    @Test func dispatchMatchesCPUFlags() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ")) } ?? []
        #expect(KernelSupport.avx2 == (flags.contains("avx2") && flags.contains("fma")))
        #endif
    }
}

extension BinaryFloatingPoint {
    /// Sign, exponent and significand as one comparable value.
    fileprivate var bitPattern: String { "\(sign)\(exponentBitPattern):\(significandBitPattern)" }
}
