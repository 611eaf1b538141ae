import Testing
@testable import JLNumpy

/// Inputs found by the libFuzzer target Fuzz/npy (Scripts/fuzz npy); each is also in
/// Fuzz/npy/corpus so every fuzz run replays it.
@Suite("Fuzz regressions: .npy parser")
struct FuzzRegressionTests {
    /// Fuzz/npy/corpus/crash-cr-in-header-key.npy: a header key holding NUL, DEL, 0xDE, CR and 0xF8
    /// bytes. The parser rejected it correctly, but the CR went into the error message verbatim
    /// and split the "one line" message a CLI prints.
    /// Fuzz/npy/corpus/crash-zero-dimension-overflow.npy: shape (999999999999, 9999999999, 0).
    /// The zero dimension made the array empty, so it was accepted, and the harness's
    /// `shape.reduce(1, *)` overflowed. The product of the non-zero dimensions is now bounded
    /// like the product of all of them (NumPy also refuses such shapes).
    @Test("a zero dimension does not let the other dimensions' product overflow")
    func zeroDimensionWithHugeOthers() throws {
        let bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00]
            + Array("{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999,9999999999, 0), }".utf8)
            + [UInt8](repeating: 0x20, count: 36) + [0x0A]
        #expect(throws: NpyError.shapeOverflow("product of shape [999999999999, 9999999999, 0]")) {
            try NpyArray(npyBytes: bytes)
        }
        #expect(throws: NpyError.shapeOverflow("product of shape [1099511627776, 2, 0]")) {
            try NpyArray.elementCount(of: [1 << 40, 2, 0])
        }
        // Still accepted: empty arrays whose non-zero dimensions multiply to at most 2^40.
        #expect(try NpyArray.elementCount(of: [1 << 20, 0, 1 << 20]) == 0)
        #expect(try NpyArray.elementCount(of: [0]) == 0)
        #expect(try NpyArray(npyBytes: NpyArray(shape: [1 << 20, 0], values: [Float]()).npyBytes()).count == 0)
    }

    @Test("control characters from the header are escaped in the one-line message")
    func controlCharactersInKey() throws {
        let key: [UInt8] = Array("'fortran_o".utf8) + [0x00, 0x00, 0x7F, 0x6C, 0x4F, 0xDE, 0x0D, 0xF8] + Array("rder'".utf8)
        let header = Array("{'descr': '<f4', ".utf8) + key + Array(": False, 'shape': (0, 3), }".utf8)
        let bytes = NpyHeader.magic + [1, 0] + lengthAndHeader(header)
        do {
            _ = try NpyArray(npyBytes: bytes)
            Issue.record("a header with an unknown key was accepted")
        } catch {
            #expect(error.description == "malformed .npy header: unexpected key 'fortran_o\\u{0}\\u{0}\\u{7F}lOÞ\\u{D}ørder'")
            let hasLineBreak = error.description.contains(where: \.isNewline)
            #expect(!hasLineBreak)
        }
    }

    @Test("every line-breaking scalar is escaped, tab and printable text are kept", arguments: [
        ("a\nb", "a\\u{A}b"), ("a\rb", "a\\u{D}b"), ("a\r\nb", "a\\u{D}\\u{A}b"), ("a\u{0B}\u{0C}b", "a\\u{B}\\u{C}b"),
        ("a\u{85}b", "a\\u{85}b"), ("a\u{2028}b\u{2029}", "a\\u{2028}b\\u{2029}"), ("tab\there", "tab\there"),
        ("plain 'text' ø", "plain 'text' ø"),
    ])
    func singleLine(input: String, expected: String) {
        #expect(NpyError.singleLine(input) == expected)
        #expect(NpyError.malformedHeader(input).description == "malformed .npy header: " + expected)
    }

    /// Latin-1 header (format 1.0) as the fuzzer found it: preamble length field + header bytes,
    /// padded with spaces and "\n" to a 64-byte boundary.
    private func lengthAndHeader(_ header: [UInt8]) -> [UInt8] {
        let padding = (64 - (10 + header.count + 1) % 64) % 64
        let length = header.count + 1 + padding
        return [UInt8(length & 0xFF), UInt8(length >> 8)] + header
            + Array(repeating: UInt8(ascii: " "), count: padding) + [UInt8(ascii: "\n")]
    }
}
