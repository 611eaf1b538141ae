import Testing
@testable import JLRandom

/// Random123 known-answer vectors, embedded in PhiloxKATVectors.swift (provenance in that file's
/// header: DEShawResearch/random123 tests/kat_vectors and tests/old_kat_vectors).
struct PhiloxKnownAnswerTests {
    struct Vector: Sendable, CustomStringConvertible {
        let counter: SIMD4<UInt32>
        let key: SIMD2<UInt32>
        let expected: SIMD4<UInt32>
        var description: String { "ctr \(counter) key \(key)" }
    }

    static func loadVectors() -> [Vector] {
        vectorText.split(separator: "\n").compactMap { line -> Vector? in
            let fields = line.split(separator: " ")
            guard fields.first == "philox4x32", fields.count == 12, fields[1] == "10" else { return nil }
            let words = fields[2...].compactMap { UInt32($0, radix: 16) }
            guard words.count == 10 else { return nil }
            return Vector(
                counter: SIMD4(words[0], words[1], words[2], words[3]),
                key: SIMD2(words[4], words[5]),
                expected: SIMD4(words[6], words[7], words[8], words[9]))
        }
    }

    @Test func everyKnownAnswerVectorMatches() {
        let vectors = Self.loadVectors()
        // The file holds 3 current + 52 older vectors; fewer means the parser lost lines.
        #expect(vectors.count == 55)
        for vector in vectors {
            let output = Philox4x32_10.block(counter: vector.counter, key: vector.key)
            #expect(output == vector.expected, "\(vector)")
        }
    }
}
