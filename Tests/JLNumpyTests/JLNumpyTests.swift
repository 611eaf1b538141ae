import Foundation
import JLFiles
import Testing
@testable import JLNumpy

// Expected values of the numpy-written fixtures (see Scripts/make-npy-fixtures.py), recomputed
// exactly: IEEE division i/7 is correctly rounded in both numpy and Swift, and every narrowing
// below (Double → Float, Double → binary16) is round-to-nearest-even in both.
enum Expected {
    static let f8Arange: [Double] = (0..<24).map { Double($0) / 7 }
    static let f4Arange: [Float] = (0..<24).map { Float(Double($0) / 7) }
    static let f2Arange: [UInt16] = (0..<24).map { HalfPrecision.bits(from: Double($0 - 12) / 7) }
    static let i4Extremes: [Int32] = [Int32.min, -1, 0, 1, Int32.max, 123_456_789]
    static let i8Extremes: [Int64] = [Int64.min, -1, 0, 1, Int64.max, (1 << 53) + 1]
    static let small: [Float] = (0..<6).map { Float($0) / 4 }
    static let pad64Shape = [2, 100] + [Int](repeating: 1, count: 12)
    static let pad64: [Float] = (0..<200).map { Float(Double($0) / 7) }
}

@Suite("Reading numpy-written fixtures")
struct FixtureReadTests {
    @Test("<f2: shape (4, 6), binary16 bits equal the rounded (i − 12)/7, exact widening")
    func float16() throws {
        let array = try fixture("f2_arange.npy")
        #expect(array.shape == [4, 6])
        #expect(array.dtype == .float16)
        #expect(array.halfBits == Expected.f2Arange)
        #expect(array.doubles() == Expected.f2Arange.map(HalfPrecision.double(fromBits:)))
        #expect(array.floats() == Expected.f2Arange.map { Float(HalfPrecision.double(fromBits: $0)) })
        // Spot values: 1/7 ≈ 0.142822265625 in binary16 (0x3092), −12/7 → 0xBEDB.
        #expect(array.halfBits?[13] == 0x3092)
        #expect(array.halfBits?[0] == 0xBEDB)
    }

    @Test("<f4: shape (2, 3, 4), Float(i/7), widening to Double exact")
    func float32() throws {
        let array = try fixture("f4_arange.npy")
        #expect(array.shape == [2, 3, 4])
        #expect(array.count == 24)
        #expect(try array.storedValues(as: Float.self) == Expected.f4Arange)
        #expect(array.floats() == Expected.f4Arange)
        #expect(array.doubles() == Expected.f4Arange.map(Double.init))
    }

    @Test("<f8: 1-d (24,), Double(i)/7; narrowing to Float rounds to nearest")
    func float64() throws {
        let array = try fixture("f8_arange.npy")
        #expect(array.shape == [24])
        #expect(try array.storedValues(as: Double.self) == Expected.f8Arange)
        #expect(array.floats() == Expected.f4Arange)
    }

    @Test("<i4 extremes: exact as Int32 and Double; Float rounds Int32.max to 2^31")
    func int32() throws {
        let array = try fixture("i4_extremes.npy")
        #expect(array.shape == [2, 3])
        #expect(try array.storedValues(as: Int32.self) == Expected.i4Extremes)
        #expect(array.doubles() == Expected.i4Extremes.map(Double.init))
        #expect(array.floats()[4] == 2_147_483_648)  // lossy: 2^31 − 1 is not a Float
    }

    @Test("<i8 extremes: exact as Int64; Double rounds 2^53 + 1 to 2^53 and Int64.max to 2^63")
    func int64() throws {
        let array = try fixture("i8_extremes.npy")
        #expect(array.shape == [6])
        #expect(try array.storedValues(as: Int64.self) == Expected.i8Extremes)
        let doubles = array.doubles()
        #expect(doubles[0] == -0x1p63)
        #expect(doubles[4] == 0x1p63)
        #expect(doubles[5] == 0x1p53)
    }

    @Test("0-d scalar: shape (), one element, π")
    func scalar() throws {
        let array = try fixture("scalar_f8.npy")
        #expect(array.shape == [])
        #expect(array.count == 1)
        #expect(array.doubles() == [Double.pi])
    }

    @Test("empty (0, 3) array: no elements, no data bytes")
    func empty() throws {
        let array = try fixture("empty_f4.npy")
        #expect(array.shape == [0, 3])
        #expect(array.count == 0)
        #expect(array.floats().isEmpty)
    }

    @Test("format 2.0 and 3.0 files", arguments: [("v2_f4.npy", UInt8(2)), ("v3_f4.npy", UInt8(3))])
    func versions(name: String, major: UInt8) throws {
        let bytes = try fixtureBytes(name)
        let header = try NpyHeader(parsing: bytes)
        #expect(header.majorVersion == major)
        #expect(header.dataOffset == 128)
        let array = try NpyArray(npyBytes: bytes)
        #expect(array.shape == [2, 3])
        #expect(array.floats() == Expected.small)
    }

    @Test("hand-written headers numpy accepts: any key order, odd whitespace, Python 2 longs",
          arguments: ["keys_any_order.npy", "python2_long.npy"])
    func handWritten(name: String) throws {
        let array = try fixture(name)
        #expect(array.shape == [2, 3])
        #expect(array.dtype == .float32)
        #expect(array.floats() == Expected.small)
    }

    @Test("14-d array whose header needs a whole 64 bytes of padding")
    func fullPadding() throws {
        let array = try fixture("f4_pad64.npy")
        #expect(array.shape == Expected.pad64Shape)
        // 10 + 117 text + 1 newline = 128 ≡ 0 (mod 64): numpy adds 64 spaces rather than none.
        #expect(try NpyHeader(parsing: fixtureBytes("f4_pad64.npy")).dataOffset == 192)
        #expect(array.floats() == Expected.pad64)
    }
}

@Suite("Writer is byte-identical to numpy")
struct NumpyIdenticalWriterTests {
    static func expectedArrays() throws -> [(String, NpyArray)] {
        [
            ("f2_arange.npy", try NpyArray(shape: [4, 6], halfBits: Expected.f2Arange)),
            ("f4_arange.npy", try NpyArray(shape: [2, 3, 4], values: Expected.f4Arange)),
            ("f8_arange.npy", try NpyArray(shape: [24], values: Expected.f8Arange)),
            ("i4_extremes.npy", try NpyArray(shape: [2, 3], values: Expected.i4Extremes)),
            ("i8_extremes.npy", try NpyArray(shape: [6], values: Expected.i8Extremes)),
            ("scalar_f8.npy", try NpyArray(shape: [], values: [Double.pi])),
            ("empty_f4.npy", try NpyArray(shape: [0, 3], values: [Float]())),
            ("f4_pad64.npy", try NpyArray(shape: Expected.pad64Shape, values: Expected.pad64)),
        ]
    }

    @Test("arrays built from closed-form values serialize to numpy's exact bytes")
    func identical() throws {
        for (name, array) in try Self.expectedArrays() {
            let reference = try fixtureBytes(name)
            let written = array.npyBytes()
            #expect(written == reference, "\(name)")
            #expect(written.count % 64 == reference.count % 64)
        }
    }

    @Test("<f2 built by rounding Doubles equals numpy's astype('<f2')")
    func float16Rounding() throws {
        let values = (0..<24).map { Double($0 - 12) / 7 }
        let array = try NpyArray(shape: [4, 6], converting: values, to: .float16)
        #expect(array.npyBytes() == (try fixtureBytes("f2_arange.npy")))
    }

    @Test("<f4 built by rounding Doubles equals numpy's astype('<f4')")
    func float32Rounding() throws {
        let array = try NpyArray(shape: [2, 3, 4], converting: Expected.f8Arange, to: .float32)
        #expect(array.npyBytes() == (try fixtureBytes("f4_arange.npy")))
    }

    @Test("reading then writing a numpy file reproduces it byte for byte",
          arguments: ["f2_arange.npy", "f4_arange.npy", "f8_arange.npy", "i4_extremes.npy",
                      "i8_extremes.npy", "scalar_f8.npy", "empty_f4.npy", "f4_pad64.npy"])
    func reencode(name: String) throws {
        let bytes = try fixtureBytes(name)
        #expect(try NpyArray(npyBytes: bytes).npyBytes() == bytes)
    }
}

@Suite("Malformed files give typed errors")
struct MalformedFixtureTests {
    static let cases: [(String, NpyError)] = [
        ("bad_bigendian.npy", .bigEndian(descr: ">f4")),
        ("bad_fortran.npy", .fortranOrder),
        ("bad_object.npy", .unsupportedDType(descr: "'|O'")),
        ("bad_complex.npy", .unsupportedDType(descr: "'<c8'")),
        ("bad_unicode.npy", .unsupportedDType(descr: "'<U2'")),
        ("bad_uint8.npy", .unsupportedDType(descr: "'|u1'")),
        ("bad_structured.npy", .unsupportedDType(descr: "[('a', '<f4'), ('b', '<i4')]")),
        ("bad_truncated.npy", .truncated(expectedBytes: 152, actualBytes: 147)),
        ("bad_trailing.npy", .trailingBytes(expectedBytes: 152, actualBytes: 155)),
        ("bad_magic.npy", .notNpy),
        ("bad_version.npy", .unsupportedVersion(major: 4, minor: 0)),
        ("bad_notdict.npy", .malformedHeader("header is not a dict: [1, 2, 3]")),
        ("bad_shape_too_large.npy", .truncated(expectedBytes: 128 + 400, actualBytes: 152)),
        ("bad_negative_dim.npy", .negativeDimension(-1)),
        ("bad_shape_overflow.npy", .shapeOverflow("product of shape [4294967296, 4294967296]")),
        ("bad_missing_key.npy", .malformedHeader("missing key 'fortran_order'")),
        ("bad_header_length.npy", .truncated(expectedBytes: 4010, actualBytes: 152)),
    ]

    @Test("each malformed fixture throws its own error", arguments: cases)
    func malformed(name: String, expected: NpyError) throws {
        let bytes = try fixtureBytes(name)
        #expect(throws: expected) { try NpyArray(npyBytes: bytes) }
    }

    @Test("every NpyError message is one line")
    func oneLine() {
        let extra: [NpyError] = [
            .byteCountMismatch(expectedBytes: 8, actualBytes: 4), .elementCountMismatch(expected: 6, actual: 5),
            .notRepresentable(value: 1.5, dtype: .int32), .dtypeMismatch(stored: .float32, requested: .float64),
            .file(.notFound(path: "x.npy")),
        ]
        for error in Self.cases.map(\.1) + extra {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains("\n"), "\(error)")
        }
        #expect(NpyError.bigEndian(descr: ">f8").description.contains("astype('<f8')"))
    }
}

@Suite("Header parser")
struct HeaderParserTests {
    @Test("whitespace, key order, quotes and trailing commas do not matter", arguments: [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
        "{\n 'shape' : ( 2 , 3 , ) ,\r\n\t'descr' : \"<f4\" , 'fortran_order' : False , }",
        "  {'fortran_order': False, 'shape': (+2, 3), 'descr': '=f4'}",
        "{'fortran_order': False, 'shape': (2, 3), 'descr': 'f4'}",
    ])
    func accepted(header: String) throws {
        let array = try NpyArray(npyBytes: f4File(header: header))
        #expect(array.shape == [2, 3])
        #expect(array.dtype == .float32)
    }

    @Test("shape forms: () scalar, (n,) 1-tuple; (n) is not a tuple")
    func shapeForms() throws {
        let scalar = npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': ()}", data: Array(repeating: 0, count: 8))
        #expect(try NpyArray(npyBytes: scalar).shape == [])
        let vector = npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", data: Array(repeating: 0, count: 8))
        #expect(try NpyArray(npyBytes: vector).shape == [1])
        let parenthesized = npyFile(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1)}", data: Array(repeating: 0, count: 8))
        #expect(throws: NpyError.malformedHeader("shape is 1, expected a tuple of integers")) {
            try NpyArray(npyBytes: parenthesized)
        }
    }

    static let rejected: [(String, NpyError)] = [
        ("", .malformedHeader("unexpected end of header")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", .malformedHeader("unexpected key 'extra'")),
        ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", .malformedHeader("duplicate key 'descr'")),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", .malformedHeader("fortran_order is 0, expected True or False")),
        ("{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}", .malformedHeader("unexpected name 'false' at offset 34")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", .malformedHeader("shape is [2, 3], expected a tuple of integers")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'a')}", .malformedHeader("shape entry 'a' is not an integer")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x", .malformedHeader("unexpected 'x' at offset 58 after the header dict")),
        ("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}", .malformedHeader("expected ',' or '}' in dict, found 'f' at offset 17")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", .malformedHeader("expected ',' or '}' in dict, found end of header")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", .malformedHeader("expected ',' or ')', found '3' at offset 53")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3x)}", .malformedHeader("invalid integer literal near offset 55")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -)}", .malformedHeader("expected digits, found ')' at offset 55")),
        ("{1: '<f4'}", .malformedHeader("non-string key 1")),
        ("{'descr': '<f4'", .malformedHeader("expected ',' or '}' in dict, found end of header")),
        ("{'descr: '<f4'}", .malformedHeader("expected ':' after dict key 'descr: ', found '<' at offset 10")),
        ("{'descr': '<f4\n'}", .malformedHeader("unterminated string starting at offset 10")),
        ("{'descr': '>i8', 'fortran_order': False, 'shape': (2, 3)}", .bigEndian(descr: ">i8")),
        ("{'descr': '|f4', 'fortran_order': False, 'shape': (2, 3)}", .unsupportedDType(descr: "'|f4'")),
        ("{'descr': '<u4', 'fortran_order': False, 'shape': (2, 3)}", .unsupportedDType(descr: "'<u4'")),
        ("{'descr': None, 'fortran_order': False, 'shape': (2, 3)}", .unsupportedDType(descr: "None")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 99999999999999999999)}",
         .shapeOverflow("a dimension does not fit in a 64-bit integer")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1099511627777)}", .shapeOverflow("dimension 1099511627777")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3)}", .negativeDimension(-2)),
        ("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}", .fortranOrder),
        ("\(String(repeating: "(", count: 40))", .malformedHeader("nesting deeper than 32 levels")),
    ]

    @Test("malformed header texts throw the exact error", arguments: rejected)
    func rejects(header: String, expected: NpyError) {
        #expect(throws: expected) { try NpyArray(npyBytes: f4File(header: header)) }
    }

    @Test("format 3.0 headers must be valid UTF-8; 1.0 headers are Latin-1")
    func encodings() throws {
        // 0xE9 alone is 'é' in Latin-1 but an invalid UTF-8 sequence.
        var bytes = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'X': 1}", data: Array(repeating: 0, count: 24))
        let keyOffset = try #require(bytes.firstIndex(of: UInt8(ascii: "X")))
        bytes[keyOffset] = 0xE9
        #expect(throws: NpyError.malformedHeader("unexpected key 'é'")) { try NpyArray(npyBytes: bytes) }
        let v3 = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'X': 1}", data: Array(repeating: 0, count: 24), major: 3)
        var invalid = v3
        let offset3 = try #require(invalid.firstIndex(of: UInt8(ascii: "X")))
        invalid[offset3] = 0xE9
        #expect(throws: NpyError.malformedHeader("string is not valid UTF-8")) { try NpyArray(npyBytes: invalid) }
    }

    @Test("preamble errors: empty, short, magic prefix, version, truncated length field")
    func preamble() {
        #expect(throws: NpyError.notNpy) { try NpyArray(npyBytes: []) }
        #expect(throws: NpyError.notNpy) { try NpyArray(npyBytes: Array("PK\u{3}\u{4}".utf8)) }
        #expect(throws: NpyError.truncated(expectedBytes: 10, actualBytes: 3)) { try NpyArray(npyBytes: [0x93, 0x4E, 0x55]) }
        #expect(throws: NpyError.truncated(expectedBytes: 10, actualBytes: 9)) {
            try NpyArray(npyBytes: NpyHeader.magic + [1, 0, 0x40])
        }
        #expect(throws: NpyError.truncated(expectedBytes: 12, actualBytes: 10)) {
            try NpyArray(npyBytes: NpyHeader.magic + [2, 0, 0x40, 0])
        }
        #expect(throws: NpyError.unsupportedVersion(major: 1, minor: 1)) {
            try NpyArray(npyBytes: NpyHeader.magic + [1, 1, 0, 0])
        }
        #expect(throws: NpyError.unsupportedVersion(major: 0, minor: 0)) {
            try NpyArray(npyBytes: NpyHeader.magic + [0, 0, 0, 0])
        }
    }
}

@Suite("Never traps on damaged input")
struct RobustnessTests {
    @Test("every prefix of a valid file throws truncated (or notNpy when empty)")
    func prefixes() throws {
        let bytes = try fixtureBytes("f4_arange.npy")
        for length in 0..<bytes.count {
            do {
                _ = try NpyArray(npyBytes: Array(bytes[0..<length]))
                Issue.record("prefix of length \(length) decoded")
            } catch {
                switch error {
                case .truncated, .notNpy: break
                // Cutting inside the header text leaves an unterminated dict or string.
                case .malformedHeader: #expect(length > 10 && length < 128, "length \(length)")
                default: Issue.record("prefix \(length): unexpected \(error)")
                }
            }
        }
    }

    @Test("every single-byte change of a valid file decodes or throws, never traps")
    func byteFlips() throws {
        let bytes = try fixtureBytes("f4_arange.npy")
        let replacements: [UInt8] = [0x00, 0x0A, 0x20, 0x27, 0x28, 0x2C, 0x2D, 0x39, 0x7B, 0x7D, 0xFF]
        var decoded = 0
        var thrown = 0
        for position in bytes.indices {
            for replacement in replacements where replacement != bytes[position] {
                var damaged = bytes
                damaged[position] = replacement
                do {
                    _ = try NpyArray(npyBytes: damaged)
                    decoded += 1
                } catch {
                    thrown += 1
                }
            }
        }
        // Damage to the data block (bytes 128…) always decodes; damage to magic always throws.
        #expect(decoded >= 96 * (replacements.count - 1))
        #expect(thrown >= 6 * (replacements.count - 1))
    }
}

@Suite("Round trips")
struct RoundTripTests {
    static let shapes: [[Int]] = [[], [0], [1], [5], [2, 3], [3, 1, 4], [2, 0, 3], [1, 2, 1, 2, 1], [7, 11]]

    /// Deterministic, sign-mixed values with fractional parts: x_i = (i·37 mod 101 − 50) / 8.
    static func sample(_ count: Int) -> [Double] {
        (0..<count).map { Double(($0 * 37) % 101 - 50) / 8 }
    }

    @Test("bytes round trip for every dtype and shape", arguments: NpyDType.allCases)
    func bytesRoundTrip(dtype: NpyDType) throws {
        for shape in Self.shapes {
            let count = try NpyArray.elementCount(of: shape)
            // Integer dtypes need integral values: scale by 8 (exact).
            let values = Self.sample(count).map { dtype.isFloatingPoint ? $0 : $0 * 8 }
            let array = try NpyArray(shape: shape, converting: values, to: dtype)
            let bytes = array.npyBytes()
            #expect(bytes.count % 64 == (count * dtype.itemSize) % 64, "header is a multiple of 64")
            let decoded = try NpyArray(npyBytes: bytes)
            #expect(decoded == array)
            // Every sample value is a multiple of 1/8 below 2^7 in magnitude: exact in all dtypes.
            #expect(decoded.doubles() == values)
        }
    }

    @Test("generic values(as:) agrees with floats() and doubles()", arguments: NpyDType.allCases)
    func genericAccessors(dtype: NpyDType) throws {
        let values = Self.sample(12).map { dtype.isFloatingPoint ? $0 : $0 * 8 }
        let array = try NpyArray(shape: [3, 4], converting: values, to: dtype)
        #expect(array.values(as: Float.self) == array.floats())
        #expect(array.values(as: Double.self) == array.doubles())
        #expect(array.floats() == values.map { Float($0) })
    }

    @Test("typed scalars are stored bit for bit in their own dtype")
    func typedScalars() throws {
        let floats: [Float] = [.pi, -0.0, .infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let array = try NpyArray(shape: [5], values: floats)
        #expect(array.dtype == .float32)
        #expect(try NpyArray(npyBytes: array.npyBytes()).storedValues(as: Float.self).map(\.bitPattern) == floats.map(\.bitPattern))
        let nan = try NpyArray(shape: [], values: [Double.nan])
        #expect(try NpyArray(npyBytes: nan.npyBytes()).doubles()[0].isNaN)
        #expect(throws: NpyError.dtypeMismatch(stored: .float32, requested: .float64)) {
            try array.storedValues(as: Double.self)
        }
        #expect(array.halfBits == nil)
    }

    @Test("very long headers switch to format 2.0 (u32 length)")
    func version2ForLongHeaders() throws {
        // 30000 dimensions of 1: the header text is about 90 kB, beyond a u16 length.
        let shape = [Int](repeating: 1, count: 30_000)
        let array = try NpyArray(shape: shape, values: [Float(2.5)])
        let bytes = array.npyBytes()
        #expect(bytes[6] == 2)
        #expect((bytes.count - 4) % 64 == 0)
        let decoded = try NpyArray(npyBytes: bytes)
        #expect(decoded == array)
        #expect(try NpyHeader(parsing: bytes).majorVersion == 2)
    }

    @Test("building arrays validates counts, shapes and integer representability")
    func constructionErrors() {
        #expect(throws: NpyError.elementCountMismatch(expected: 6, actual: 5)) {
            try NpyArray(shape: [2, 3], values: [Float](repeating: 0, count: 5))
        }
        #expect(throws: NpyError.byteCountMismatch(expectedBytes: 24, actualBytes: 20)) {
            try NpyArray(shape: [2, 3], dtype: .float32, rawBytes: [UInt8](repeating: 0, count: 20))
        }
        #expect(throws: NpyError.negativeDimension(-1)) { try NpyArray(shape: [-1], values: [Float]()) }
        #expect(throws: NpyError.shapeOverflow("product of shape [1048576, 1048576, 2]")) {
            try NpyArray(shape: [1 << 20, 1 << 20, 2], values: [Float]())
        }
        #expect(throws: NpyError.notRepresentable(value: 1.5, dtype: .int32)) {
            try NpyArray(shape: [1], converting: [1.5], to: .int32)
        }
        #expect(throws: NpyError.notRepresentable(value: 0x1p31, dtype: .int32)) {
            try NpyArray(shape: [1], converting: [0x1p31], to: .int32)
        }
        #expect(throws: NpyError.notRepresentable(value: 0x1p63, dtype: .int64)) {
            try NpyArray(shape: [1], converting: [0x1p63], to: .int64)
        }
        #expect(throws: NpyError.elementCountMismatch(expected: 1, actual: 0)) {
            try NpyArray(shape: [], halfBits: [])
        }
    }

    @Test("file round trip through AtomicFile, overwrite policy respected, missing files typed")
    func fileRoundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.npy"
        let array = try NpyArray(shape: [2, 2], values: [1.0, 2.0, 3.0, 4.0])
        try array.write(toFile: path)
        #expect(try NpyArray(contentsOfFile: path) == array)
        #expect(throws: NpyError.file(.alreadyExists(path: path))) {
            try array.write(toFile: path, overwrite: .refuseExisting)
        }
        let replacement = try NpyArray(shape: [1], values: [Int64(7)])
        try replacement.write(toFile: path, overwrite: .replace)
        #expect(try NpyArray(contentsOfFile: path) == replacement)
        #expect(throws: NpyError.file(.notFound(path: directory + "/none.npy"))) {
            try NpyArray(contentsOfFile: directory + "/none.npy")
        }
        #expect(throws: NpyError.file(.directoryMissing(path: directory + "/sub/b.npy"))) {
            try array.write(toFile: directory + "/sub/b.npy")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["a.npy"])
    }
}

@Suite("Real data: MiniLM keys, layer 0")
struct RealFileTests {
    @Test("keys_layer0.npy: (12, 512, 32) <f4, known elements, re-encodes byte for byte",
          .enabled(if: minilmKeysPath != nil, "../shared/data/minilm is not beside the package"))
    func minilmKeys() throws {
        let path = try #require(minilmKeysPath)
        let bytes = try FileReader.readBytes(atPath: path)
        let array = try NpyArray(npyBytes: bytes)
        #expect(array.shape == [12, 512, 32])
        #expect(array.dtype == .float32)
        #expect(array.count == 196_608)
        let keys = try array.storedValues(as: Float.self)
        // Bit patterns read with numpy (a[0,0,0], a[2,511,31], a[11,100,7]).
        #expect(keys[0].bitPattern == 0xBF51_9E17)
        #expect(keys[(2 * 512 + 511) * 32 + 31].bitPattern == 0xBFC8_588E)
        #expect(keys[(11 * 512 + 100) * 32 + 7].bitPattern == 0x3F52_54FD)
        // numpy's float64 sum is −6215.828387625787; summation order differs by at most
        // n·ε·Σ|x| ≈ 2e5 · 1.1e-16 · 2.1e5 ≈ 5e-6 (Σ|x| from numpy), so 1e-4 is a safe bound.
        let sum = array.doubles().reduce(0, +)
        #expect(abs(sum - -6215.828387625787) < 1e-4)
        #expect(array.npyBytes() == bytes)
    }
}
