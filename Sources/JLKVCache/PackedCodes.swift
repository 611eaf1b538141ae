/// Fixed-width unsigned codes packed into a contiguous `[UInt32]`, one padded row at a time.
///
/// Each row holds `codesPerRow` codes of `bitsPerCode` bits, packed LSB-first, `32 / b` codes per
/// word (b divides 32, so no code straddles two words); a row starts on a fresh word:
/// ```
/// wordsPerRow = ⌈codesPerRow · b / 32⌉
/// code(r, j)  = (words[r · wordsPerRow + ⌊j·b/32⌋] >> ((j·b) mod 32)) & (2^b − 1)
/// paddingBitsPerRow = 32 · wordsPerRow − codesPerRow · b
/// ```
/// This is the layout of the official QJL value packing (`new_pack.py`, theory.md §3.5), with the
/// row padding made explicit so a head dimension that is not a multiple of 32/b still works.
/// - Complexity: storage `rowCount · wordsPerRow` words.
public struct PackedCodes: Sendable, Hashable {
    /// Bits per code b (a divisor of 32).
    public let bitsPerCode: Int
    /// Codes per row.
    public let codesPerRow: Int
    /// Words per row, ⌈codesPerRow·b/32⌉.
    public let wordsPerRow: Int
    /// Number of rows stored.
    public private(set) var rowCount: Int
    /// The packed words, `rowCount · wordsPerRow` of them.
    public private(set) var words: [UInt32]

    /// The bit widths a code may have: the divisors of 32 up to 8.
    public static let allowedBits = [1, 2, 4, 8]

    /// An empty store.
    /// - Throws: `.bitsNotAllowed` unless b ∈ {1, 2, 4, 8}; `.invalidParameter` if codesPerRow < 1.
    public init(bitsPerCode: Int, codesPerRow: Int) throws(KVCacheError) {
        guard Self.allowedBits.contains(bitsPerCode) else {
            throw .bitsNotAllowed(bits: bitsPerCode, allowed: Self.allowedBits)
        }
        guard codesPerRow >= 1 else {
            throw .invalidParameter(name: "codes per row", value: codesPerRow, requirement: "≥ 1")
        }
        self.init(validatedBitsPerCode: bitsPerCode, codesPerRow: codesPerRow)
    }

    /// An empty store for parameters a configuration has already validated.
    init(validatedBitsPerCode bitsPerCode: Int, codesPerRow: Int) {
        assert(Self.allowedBits.contains(bitsPerCode) && codesPerRow >= 1)
        self.bitsPerCode = bitsPerCode
        self.codesPerRow = codesPerRow
        self.wordsPerRow = (codesPerRow * bitsPerCode + 31) / 32
        self.rowCount = 0
        self.words = []
    }

    /// The largest code, 2^b − 1.
    @inlinable
    public var maximumCode: UInt32 { UInt32((1 << bitsPerCode) - 1) }

    /// Unused bits at the end of each row, 32·wordsPerRow − codesPerRow·b.
    public var paddingBitsPerRow: Int { 32 * wordsPerRow - codesPerRow * bitsPerCode }

    /// Appends one row of codes.
    /// - Throws: `.dimensionMismatch` if `codes.count ≠ codesPerRow`; `.invalidParameter` if a
    ///   code exceeds 2^b − 1.
    /// - Complexity: O(codesPerRow).
    public mutating func appendRow(_ codes: [UInt32]) throws(KVCacheError) {
        guard codes.count == codesPerRow else {
            throw .dimensionMismatch(what: "code row", expected: codesPerRow, actual: codes.count)
        }
        for code in codes where code > maximumCode {
            throw .invalidParameter(name: "code", value: Int(code), requirement: "≤ \(maximumCode)")
        }
        appendValidatedRow(codes)
    }

    /// Appends a row whose length and code range the caller has already checked. Each word is
    /// assembled in a register from its 32/b codes (shifts only, no division per code).
    mutating func appendValidatedRow(_ codes: [UInt32]) {
        assert(codes.count == codesPerRow)
        let codesPerWord = 32 / bitsPerCode, width = UInt32(bitsPerCode), rowWords = wordsPerRow, count = codesPerRow
        codes.withUnsafeBufferPointer { row in
            for k in 0..<rowWords {
                let first = k * codesPerWord, end = Swift.min(first + codesPerWord, count)
                var word: UInt32 = 0
                for j in first..<end {
                    assert(row[j] <= maximumCode)
                    word |= row[j] &<< (UInt32(truncatingIfNeeded: j - first) &* width)
                }
                words.append(word)
            }
        }
        rowCount += 1
    }

    /// Appends `count` rows already packed in this layout (`count · wordsPerRow` words, padding
    /// bits 0), as the caller has checked.
    mutating func appendValidatedRows(_ packed: [UInt32], count: Int) {
        assert(packed.count == count * wordsPerRow)
        words.append(contentsOf: packed)
        rowCount += count
    }

    /// Code j of row r (indices are checked only by Array's bounds check).
    /// - Complexity: O(1).
    @inlinable
    public func code(row: Int, column: Int) -> UInt32 {
        let codesPerWord = 32 / bitsPerCode
        let word = words[row * wordsPerRow + column / codesPerWord]
        return (word >> UInt32((column % codesPerWord) * bitsPerCode)) & maximumCode
    }

    /// All codes of row r.
    /// - Complexity: O(codesPerRow).
    public func row(_ r: Int) -> [UInt32] {
        (0..<codesPerRow).map { code(row: r, column: $0) }
    }

    /// Bytes held by the packed words, `words.count · MemoryLayout<UInt32>.size`.
    public var allocatedBytes: Int { words.count * MemoryLayout<UInt32>.size }
}
