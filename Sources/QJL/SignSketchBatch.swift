import JLLinearAlgebra
import JLTransforms

/// The QJL key cache for n keys: the sign bits of S·k packed into one contiguous `[UInt64]`
/// buffer, plus each key's norm ‖k‖ at an explicit ``NormPrecision`` (Definition 3.1 and
/// Algorithm 1 of arXiv 2406.03482; theory.md §1.1, §1.5, §3.2).
///
/// ```
/// bit r of key i = 1  ⇔  (S k_i)_r > 0        (so sign(0) = −1, as in the official kernel)
/// word  = signBits[i · wordsPerKey + ⌊r / 64⌋],   bit (r mod 64) of that word
/// wordsPerKey = ⌈m / 64⌉,   padding bits r ≥ m are 0
/// ```
/// On a little-endian machine bit (r mod 64) of word ⌊r/64⌋ is bit (r mod 8) of byte ⌊r/8⌋ of
/// the key's words: LSB-first, byte-compatible with the official QJL kernel's packing
/// (theory.md §3.2). ``signBytes(ofKey:)`` returns that byte view on any machine.
///
/// The convention sign(0) = −1 (bit 0) is used everywhere in this module, including the
/// symmetric estimator's query bits.
public struct SignSketchBatch: Sendable, Hashable {
    /// Number of keys n.
    public internal(set) var count: Int
    /// Sketch dimension m (sign bits per key).
    public let sketchDimension: Int
    /// Input (head) dimension d, for the ledger's bits-per-coordinate.
    public let inputDimension: Int
    /// 64-bit words per key, ⌈m / 64⌉.
    public let wordsPerKey: Int
    /// The packed sign bits, `count · wordsPerKey` words, key after key.
    public internal(set) var signBits: [UInt64]
    /// The precision of the stored key norms.
    public let normPrecision: NormPrecision
    @usableFromInline var storedNorms: StoredNorms
    /// What the norms measure (for the ledger), e.g. "key norms" or "outlier norms".
    public let normLabel: String

    /// Packs the signs of precomputed projections (row i of `projections` is S·k_i) and stores
    /// `keyNorms[i]` = ‖k_i‖ at `normPrecision`.
    /// - Throws: ``QJLError`` on m < 1, a length mismatch, non-finite projections or norms, or a
    ///   norm that overflows the precision.
    /// - Complexity: O(n·m). Pre-specialized for Float and Double (one word built per 64 rows).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init<Scalar: LinearAlgebraScalar>(
        projections: Matrix<Scalar>, keyNorms: [Double], inputDimension: Int,
        normPrecision: NormPrecision, normLabel: String = "key norms"
    ) throws(QJLError) {
        let m = projections.columns, n = projections.rows
        guard m >= 1 else { throw .invalidSketchDimension(m) }
        guard inputDimension >= 1 else { throw .invalidArgument("input dimension must be ≥ 1, got \(inputDimension)") }
        guard keyNorms.count == n else { throw .dimensionMismatch(what: "key norms", expected: n, actual: keyNorms.count) }
        try validateFinite(projections.elements, what: "projections S·k")
        try validateFinite(keyNorms, what: "key norms")
        let words = (m + 63) / 64
        let bits = projections.elements.withUnsafeBufferPointer { p in
            packSignWords(p, rows: n, columns: m, rowStride: m)
        }
        self.count = n
        self.sketchDimension = m
        self.inputDimension = inputDimension
        self.wordsPerKey = words
        self.signBits = bits
        self.normPrecision = normPrecision
        self.storedNorms = try StoredNorms(keyNorms, precision: normPrecision)
        self.normLabel = normLabel
    }

    /// Sketches the keys (rows of `keys`, n×d) with `transform`: bits of S·k_i and ‖k_i‖.
    /// - Throws: ``QJLError/nonFiniteInput(what:index:)`` for NaN/∞ keys,
    ///   ``QJLError/dimensionMismatch(what:expected:actual:)`` if d ≠ the transform's d.
    /// - Complexity: one batch transform (O(n·m·d) for a dense S) plus O(n·(m + d)).
    public init<T: JLTransform>(
        keys: Matrix<T.Scalar>, transform: T, normPrecision: NormPrecision
    ) throws(QJLError) {
        guard keys.columns == transform.inputDimension else {
            throw .dimensionMismatch(what: "key dimension d", expected: transform.inputDimension, actual: keys.columns)
        }
        try validateFinite(keys.elements, what: "keys")
        let projections: Matrix<T.Scalar>
        do { projections = try transform.apply(batch: keys) } catch { throw .transform(error) }
        try self.init(projections: projections, keyNorms: rowNorms(keys), inputDimension: keys.columns,
                      normPrecision: normPrecision)
    }

    /// The stored norm of key i, as read back (rounded to ``normPrecision``).
    @inlinable
    public func keyNorm(_ index: Int) -> Float { storedNorms.value(index) }

    /// All stored norms, as read back.
    public var keyNorms: [Float] { storedNorms.decoded }

    /// Whether bit r of key i is set, i.e. (S k_i)_r > 0.
    @inlinable
    public func bit(key index: Int, row r: Int) -> Bool {
        (signBits[index * wordsPerKey + r >> 6] >> UInt64(r & 63)) & 1 == 1
    }

    /// The ±1 signs of key i, sign(0) = −1.
    public func signs(ofKey index: Int) -> [Int8] {
        (0..<sketchDimension).map { bit(key: index, row: $0) ? 1 : -1 }
    }

    /// Key i's bits as ⌈m/8⌉ bytes, LSB-first (bit j of byte b is row 8b + j), the official
    /// QJL kernel's layout (theory.md §3.2). Padding bits are 0.
    public func signBytes(ofKey index: Int) -> [UInt8] {
        let byteCount = (sketchDimension + 7) / 8
        return (0..<byteCount).map { b in
            UInt8(truncatingIfNeeded: signBits[index * wordsPerKey + b >> 3] >> UInt64(8 * (b & 7)))
        }
    }

    /// Bytes actually allocated for the payload: sign words (8 bytes each) plus norms.
    public var allocatedBytes: Int {
        signBits.count * MemoryLayout<UInt64>.stride + storedNorms.allocatedBytes
    }

    /// The itemized account of the stored bits; `totalBits / 8 == allocatedBytes`.
    ///
    /// ```
    /// sign bits     = n·m
    /// padding bits  = n·(64·⌈m/64⌉ − m)
    /// norms         = n·(16 or 32)
    /// ```
    public var bitLedger: BitLedger {
        ledger(prefix: "")
    }

    func ledger(prefix: String) -> BitLedger {
        let padding = count * (64 * wordsPerKey - sketchDimension)
        var components = [BitLedger.Component(name: "\(prefix)sign bits (m = \(sketchDimension) per key)",
                                              bits: count * sketchDimension)]
        components.append(.init(name: "\(prefix)sign-bit padding (to ⌈m/64⌉ words)", bits: padding))
        components.append(.init(name: "\(prefix)\(normLabel) (\(normPrecision))", bits: count * normPrecision.bitsPerNorm))
        return BitLedger(components: components, tokens: count, coordinatesPerToken: inputDimension)
    }
}

/// ‖row_i‖₂ for each row, accumulated in Double (no overflow for Float inputs), j ascending:
/// ```
/// norm_i = √(Σ_j Double(x_ij)²)
/// ```
/// Pre-specialized for Float and Double and not inlinable, so generic callers dispatch to the
/// specialized loop.
/// - Complexity: O(rows·columns).
@usableFromInline
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func rowNorms<Scalar: BinaryFloatingPoint>(_ matrix: Matrix<Scalar>) -> [Double] where Scalar: LinearAlgebraScalar {
    let rows = matrix.rows, columns = matrix.columns
    var norms = [Double](repeating: 0, count: rows)
    matrix.elements.withUnsafeBufferPointer { x in
        norms.withUnsafeMutableBufferPointer { out in
            for i in 0..<rows {
                var sum = 0.0
                for j in 0..<columns {
                    let value = Double(x[i * columns + j])
                    sum += value * value
                }
                out[i] = sum.squareRoot()
            }
        }
    }
    return norms
}

/// The packed sign words of `rows` projections of `columns` entries each (row i starts at
/// `i·rowStride`): bit r of key i is set iff its entry r is > 0, padding bits are 0.
/// ```
/// word w of key i = Σ_{j < 64, 64w + j < m} [p_{i, 64w + j} > 0]·2^j
/// ```
/// Each word is built in a register and stored once.
/// - Complexity: O(rows·columns).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func packSignWords<Scalar: BinaryFloatingPoint>(
    _ projections: UnsafeBufferPointer<Scalar>, rows: Int, columns m: Int, rowStride: Int
) -> [UInt64] {
    let words = (m + 63) / 64
    return [UInt64](unsafeUninitializedCapacity: rows * words) { out, initialized in
        for i in 0..<rows {
            let row = i * rowStride
            for w in 0..<words {
                let first = row + 64 * w, width = Swift.min(64, m - 64 * w)
                var word: UInt64 = 0
                for j in 0..<width {
                    word |= UInt64(projections[first + j] > 0 ? 1 : 0) &<< UInt64(j)
                }
                out[i * words + w] = word
            }
        }
        initialized = rows * words
    }
}

// MARK: - Slicing and concatenation (no re-encoding)

extension SignSketchBatch {
    /// Keys `range` of this batch: their sign words and stored norms copied as they are (no
    /// re-rounding), same m, d, precision and label.
    /// - Complexity: O(range.count·(⌈m/64⌉ + 1)).
    package func keys(in range: Range<Int>) -> SignSketchBatch {
        assert(range.lowerBound >= 0 && range.upperBound <= count)
        let norms: StoredNorms
        switch storedNorms {
        case let .float16(values): norms = .float16(Array(values[range]))
        case let .float32(values): norms = .float32(Array(values[range]))
        }
        return SignSketchBatch(
            validatedCount: range.count, sketchDimension: sketchDimension, inputDimension: inputDimension,
            signBits: Array(signBits[(range.lowerBound * wordsPerKey)..<(range.upperBound * wordsPerKey)]),
            normPrecision: normPrecision, storedNorms: norms, normLabel: normLabel)
    }

    /// Appends the keys of `other` in place (sign words and stored norms as they are, no
    /// re-rounding): afterwards it holds this batch's keys followed by `other`'s.
    /// Returns false, leaving the batch unchanged, when m, d, norm precision or label differ.
    /// - Complexity: amortized O(other.count·(⌈m/64⌉ + 1)), in place when the arrays are uniquely held.
    package mutating func append(_ other: SignSketchBatch) -> Bool {
        guard other.sketchDimension == sketchDimension, other.inputDimension == inputDimension,
              other.normPrecision == normPrecision, other.normLabel == normLabel
        else { return false }
        switch (storedNorms, other.storedNorms) {
        case (.float16(var values), .float16(let more)):
            storedNorms = .float16([])  // drop this reference so `values` is unique
            values.append(contentsOf: more)
            storedNorms = .float16(values)
        case (.float32(var values), .float32(let more)):
            storedNorms = .float32([])
            values.append(contentsOf: more)
            storedNorms = .float32(values)
        default:
            return false
        }
        signBits.append(contentsOf: other.signBits)
        count += other.count
        return true
    }

    /// Memberwise, for parts that are already validated and consistent.
    init(validatedCount count: Int, sketchDimension: Int, inputDimension: Int, signBits: [UInt64],
         normPrecision: NormPrecision, storedNorms: StoredNorms, normLabel: String) {
        let words = (sketchDimension + 63) / 64
        assert(signBits.count == count * words && storedNorms.count == count)
        self.count = count
        self.sketchDimension = sketchDimension
        self.inputDimension = inputDimension
        self.wordsPerKey = words
        self.signBits = signBits
        self.normPrecision = normPrecision
        self.storedNorms = storedNorms
        self.normLabel = normLabel
    }
}
