import Testing
@testable import JLNumpy

@Suite("Binary16 conversion")
struct HalfPrecisionTests {
    @Test("known values: limits, subnormals, ties to even, overflow, signed zero, NaN, ∞")
    func knownValues() {
        let cases: [(Double, UInt16)] = [
            (0, 0x0000), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (0.5, 0x3800),
            (65504, 0x7BFF),                  // largest finite
            (65519.99, 0x7BFF),               // below the halfway point 65520
            (65520, 0x7C00),                  // halfway, ties to even → 2^16 → ∞
            (1e6, 0x7C00), (.infinity, 0x7C00), (-.infinity, 0xFC00),
            (0x1p-14, 0x0400),                // smallest normal
            (0x1p-24, 0x0001),                // smallest subnormal
            (0x1p-25, 0x0000),                // halfway to the smallest subnormal: ties to even → 0
            (0x1.000001p-25, 0x0001),         // just above halfway
            (0x3p-25, 0x0002),                // 1.5 · 2^-24 ties to even → 2 · 2^-24
            (0x1.FFCp-15, 0x0400),            // largest subnormal + half ulp: ties to even → smallest normal
            (1 + 0x1p-11, 0x3C00),            // 1 + half ulp: ties to even → 1
            (1 + 0x3p-11, 0x3C02),            // 1 + 1.5 ulp: ties to even → 1 + 2 ulp
            (1.0 / 3.0, 0x3555),
            (.nan, 0x7E00),
        ]
        for (value, bits) in cases {
            #expect(HalfPrecision.bits(from: value) == bits, "\(value)")
        }
        #expect(HalfPrecision.double(fromBits: 0x7BFF) == 65504)
        #expect(HalfPrecision.double(fromBits: 0x0001) == 0x1p-24)
        #expect(HalfPrecision.double(fromBits: 0x03FF) == 0x1.FF8p-15)
        #expect(HalfPrecision.double(fromBits: 0x8000).sign == .minus)
        #expect(HalfPrecision.double(fromBits: 0xFC00) == -.infinity)
        #expect(HalfPrecision.double(fromBits: 0x7E00).isNaN)
        #expect(HalfPrecision.double(fromBits: 0x7C01).isNaN)
    }

    @Test("all 65536 patterns: decode then encode is the identity (NaNs stay NaN)")
    func exhaustiveRoundTrip() {
        for pattern in 0...UInt16.max {
            let value = HalfPrecision.double(fromBits: pattern)
            let back = HalfPrecision.bits(from: value)
            if value.isNaN {
                #expect(back & 0x7C00 == 0x7C00 && back & 0x03FF != 0)
            } else if back != pattern {
                Issue.record("pattern 0x\(String(pattern, radix: 16)) → \(value) → 0x\(String(back, radix: 16))")
            }
        }
    }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    @Test("agrees with the platform Float16: every pattern, and midpoints ± 1 ulp of Double")
    func agreesWithFloat16() {
        for pattern in 0...UInt16.max {
            let reference = Float16(bitPattern: pattern)
            let value = HalfPrecision.double(fromBits: pattern)
            if reference.isNaN {
                #expect(value.isNaN)
                continue
            }
            if value != Double(reference) { Issue.record("decode 0x\(String(pattern, radix: 16))") }
            guard reference.isFinite, reference < .greatestFiniteMagnitude, reference >= 0 else { continue }
            let next = HalfPrecision.double(fromBits: pattern + 1)
            let midpoint = (value + next) / 2  // exact: both are binary16 values
            for probe in [midpoint.nextDown, midpoint, midpoint.nextUp, -midpoint] {
                let expected = Float16(probe).bitPattern
                if HalfPrecision.bits(from: probe) != expected {
                    Issue.record("encode \(probe): expected 0x\(String(expected, radix: 16))")
                }
            }
        }
    }

    @Test("Float16 arrays store as <f2 bit for bit")
    func float16Scalar() throws {
        let values: [Float16] = [1, -0.5, 65504, .leastNonzeroMagnitude]
        let array = try NpyArray(shape: [4], values: values)
        #expect(array.dtype == .float16)
        #expect(array.halfBits == values.map(\.bitPattern))
        #expect(try array.storedValues(as: Float16.self) == values)
        #expect(array.doubles() == values.map(Double.init))
    }
    #endif
}
