// JLNumpy: an n-dimensional array as stored in a .npy file (C order, little-endian).

/// A C-ordered, little-endian n-dimensional array of one supported dtype.
///
/// ```
/// element[i₀, …, i_{k−1}] is stored at byte offset itemSize · Σⱼ iⱼ · ∏_{l>j} shape[l]
/// count = ∏ shape   (1 for shape [], a 0-d scalar)
/// ```
///
/// The raw bytes are kept exactly as in the file, so a read–write round trip is byte-identical.
/// Equality compares shape, dtype and bytes (NaNs with the same bits are equal).
///
/// - Complexity: storage O(count · itemSize).
/// - Source: NumPy NEP 1 (the .npy format), numpy.lib.format.
public struct NpyArray: Sendable, Equatable, Hashable {
    /// The dimensions, outermost first; `[]` for a 0-d scalar.
    public let shape: [Int]
    /// The element type.
    public let dtype: NpyDType
    /// The elements' bytes in C order, each element little-endian; `count · dtype.itemSize` bytes.
    public let rawBytes: [UInt8]

    /// The largest element count accepted, for reading and building: 2⁴⁰.
    ///
    /// ```
    /// maximumElementCount = 2^40   (8 TiB of float64; keeps ∏shape · itemSize far from Int.max)
    /// ```
    ///
    /// Files are read whole, so in practice memory binds first; the limit only rejects shapes whose
    /// product could overflow before the size check against the file runs.
    /// - Complexity: O(1).
    /// - Source: this module.
    public static let maximumElementCount = 1 << 40

    /// The number of elements.
    ///
    /// ```
    /// count = ∏ shape = rawBytes.count / dtype.itemSize
    /// ```
    /// - Complexity: O(1).
    /// - Source: NumPy `ndarray.size`.
    @inlinable public var count: Int { rawBytes.count / dtype.itemSize }

    /// The element count of `shape`, with every failure typed.
    ///
    /// ```
    /// elementCount(shape) = ∏ shape  (0 if any dimension is 0; 1 for [])
    /// requires 0 ≤ shape[j] ≤ maximumElementCount and ∏_{shape[j] ≠ 0} shape[j] ≤ maximumElementCount
    /// ```
    ///
    /// The product of the non-zero dimensions is bounded even when a zero dimension makes the
    /// array empty (NumPy rejects such shapes as "array is too big" too), so any product of an
    /// accepted shape's dimensions, in any order, fits in `Int` — a caller's `shape.reduce(1, *)`
    /// cannot overflow. (Found by the .npy fuzzer: shape (999999999999, 9999999999, 0).)
    ///
    /// - Throws: `.negativeDimension`, `.shapeOverflow`.
    /// - Complexity: O(shape.count).
    /// - Source: this module; NumPy `PyArray_NewFromDescr` size check.
    public static func elementCount(of shape: [Int]) throws(NpyError) -> Int {
        var nonZeroProduct = 1
        for dimension in shape {
            if dimension < 0 { throw .negativeDimension(dimension) }
            if dimension > maximumElementCount { throw .shapeOverflow("dimension \(dimension)") }
            if dimension == 0 { continue }
            let (next, overflow) = nonZeroProduct.multipliedReportingOverflow(by: dimension)
            if overflow || next > maximumElementCount {
                throw .shapeOverflow("product of shape \(shape)")
            }
            nonZeroProduct = next
        }
        return shape.contains(0) ? 0 : nonZeroProduct
    }

    /// Wraps raw little-endian C-order element bytes.
    ///
    /// ```
    /// requires rawBytes.count == ∏ shape · dtype.itemSize
    /// ```
    ///
    /// - Throws: `.negativeDimension`, `.shapeOverflow`, `.byteCountMismatch`.
    /// - Complexity: O(shape.count); the bytes are not copied.
    /// - Source: NumPy NEP 1.
    public init(shape: [Int], dtype: NpyDType, rawBytes: [UInt8]) throws(NpyError) {
        let expected = try Self.elementCount(of: shape) * dtype.itemSize
        guard rawBytes.count == expected else {
            throw .byteCountMismatch(expectedBytes: expected, actualBytes: rawBytes.count)
        }
        self.shape = shape
        self.dtype = dtype
        self.rawBytes = rawBytes
    }

    /// Stores `values` bit-for-bit in their own dtype (`Float` → `<f4`, `Int64` → `<i8`, …).
    ///
    /// ```
    /// dtype = Scalar.npyDType;  rawBytes = concat(values[i].npyBits.littleEndian)
    /// requires values.count == ∏ shape
    /// ```
    ///
    /// - Throws: `.negativeDimension`, `.shapeOverflow`, `.elementCountMismatch`.
    /// - Complexity: O(values.count).
    /// - Source: NumPy NEP 1.
    @inlinable
    public init<Scalar: NpyScalar>(shape: [Int], values: [Scalar]) throws(NpyError) {
        let expected = try Self.elementCount(of: shape)
        guard values.count == expected else {
            throw .elementCountMismatch(expected: expected, actual: values.count)
        }
        let size = MemoryLayout<Scalar.NpyBits>.size
        let bytes = [UInt8](unsafeUninitializedCapacity: values.count * size) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            values.withUnsafeBufferPointer { source in
                for index in source.indices {
                    raw.storeBytes(of: source[index].npyBits.littleEndian, toByteOffset: index * size, as: Scalar.NpyBits.self)
                }
            }
            initialized = values.count * size
        }
        self.shape = shape
        self.dtype = Scalar.npyDType
        self.rawBytes = bytes
    }

    /// Converts floating-point `values` to `dtype` and stores them.
    ///
    /// ```
    /// <f2:  HalfPrecision.bits(Double(x))   round to nearest even, |x| ≥ 65520 → ±∞
    /// <f4:  Float(x)                        round to nearest even, overflow → ±∞
    /// <f8:  Double(x)                       exact for Float/Double sources
    /// <i4, <i8: the integer equal to x      throws .notRepresentable if x is fractional, NaN or out of range
    /// ```
    ///
    /// Sources wider than `Double` (Float80) are rounded to `Double` first for `<f2`.
    ///
    /// - Throws: `.negativeDimension`, `.shapeOverflow`, `.elementCountMismatch`, `.notRepresentable`.
    /// - Complexity: O(values.count).
    /// - Source: IEEE 754-2019 §4.3.1 (roundTiesToEven).
    @inlinable
    public init<Source: BinaryFloatingPoint>(
        shape: [Int], converting values: [Source], to dtype: NpyDType
    ) throws(NpyError) {
        switch dtype {
        case .float16:
            let bits = values.map { HalfPrecision.bits(from: Double($0)) }
            try self.init(shape: shape, halfBits: bits)
        case .float32:
            try self.init(shape: shape, values: values.map { Float($0) })
        case .float64:
            try self.init(shape: shape, values: values.map { Double($0) })
        case .int32:
            var integers: [Int32] = []
            integers.reserveCapacity(values.count)
            for value in values {
                guard let integer = Int32(exactly: value) else {
                    throw .notRepresentable(value: Double(value), dtype: dtype)
                }
                integers.append(integer)
            }
            try self.init(shape: shape, values: integers)
        case .int64:
            var integers: [Int64] = []
            integers.reserveCapacity(values.count)
            for value in values {
                guard let integer = Int64(exactly: value) else {
                    throw .notRepresentable(value: Double(value), dtype: dtype)
                }
                integers.append(integer)
            }
            try self.init(shape: shape, values: integers)
        }
    }

    /// Stores binary16 bit patterns as `<f2` (works where `Float16` does not exist).
    ///
    /// ```
    /// dtype = <f2;  rawBytes = concat(halfBits[i].littleEndian)
    /// ```
    ///
    /// - Throws: `.negativeDimension`, `.shapeOverflow`, `.elementCountMismatch`.
    /// - Complexity: O(halfBits.count).
    /// - Source: IEEE 754-2019 §3.6.
    public init(shape: [Int], halfBits: [UInt16]) throws(NpyError) {
        let expected = try Self.elementCount(of: shape)
        guard halfBits.count == expected else {
            throw .elementCountMismatch(expected: expected, actual: halfBits.count)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(halfBits.count * 2)
        for bits in halfBits {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
        }
        self.shape = shape
        self.dtype = .float16
        self.rawBytes = bytes
    }

    /// The elements converted to `Scalar` (`Float` or `Double`), whatever the stored dtype.
    ///
    /// ```
    /// <f2 → Scalar: exact (binary16 ⊂ binary32 ⊂ binary64)
    /// <f4 → Float exact;  <f4 → Double exact
    /// <f8 → Double exact; <f8 → Float: round to nearest even, |x| > Float.max → ±∞   (lossy)
    /// <i4 → Double exact; <i4 → Float: rounds when |x| > 2^24                       (lossy)
    /// <i8 → Double: rounds when |x| > 2^53; <i8 → Float: rounds when |x| > 2^24      (lossy)
    /// ```
    ///
    /// - Complexity: O(count).
    /// - Source: IEEE 754-2019 §5.4.2 (convertFormat), §5.4.1 (convertFromInt).
    @inlinable
    public func values<Scalar: BinaryFloatingPoint>(as type: Scalar.Type) -> [Scalar] {
        switch dtype {
        case .float16: return convertedElements(UInt16.self) { Scalar(HalfPrecision.double(fromBits: $0)) }
        case .float32: return convertedElements(UInt32.self) { Scalar(Float(bitPattern: $0)) }
        case .float64: return convertedElements(UInt64.self) { Scalar(Double(bitPattern: $0)) }
        case .int32: return convertedElements(UInt32.self) { Scalar(Int32(bitPattern: $0)) }
        case .int64: return convertedElements(UInt64.self) { Scalar(Int64(bitPattern: $0)) }
        }
    }

    /// The elements as `Float` (see `values(as:)` for which conversions round).
    ///
    /// ```
    /// floats() = values(as: Float.self)
    /// ```
    /// - Complexity: O(count).
    /// - Source: see `values(as:)`.
    public func floats() -> [Float] { values(as: Float.self) }

    /// The elements as `Double` (exact except `<i8` beyond 2^53).
    ///
    /// ```
    /// doubles() = values(as: Double.self)
    /// ```
    /// - Complexity: O(count).
    /// - Source: see `values(as:)`.
    public func doubles() -> [Double] { values(as: Double.self) }

    /// The elements bit-for-bit, when `Scalar` is exactly the stored type.
    ///
    /// ```
    /// storedValues(as: S) = [S(npyBits: littleEndian(element i))]   requires S.npyDType == dtype
    /// ```
    ///
    /// - Throws: `.dtypeMismatch` when `Scalar.npyDType != dtype`.
    /// - Complexity: O(count).
    /// - Source: NumPy NEP 1.
    @inlinable
    public func storedValues<Scalar: NpyScalar>(as type: Scalar.Type) throws(NpyError) -> [Scalar] {
        guard Scalar.npyDType == dtype else {
            throw .dtypeMismatch(stored: dtype, requested: Scalar.npyDType)
        }
        return convertedElements(Scalar.NpyBits.self) { Scalar(npyBits: $0) }
    }

    /// The binary16 bit patterns of a `<f2` array (`nil` for other dtypes).
    ///
    /// ```
    /// halfBits[i] = UInt16(littleEndian: element i)
    /// ```
    /// - Complexity: O(count).
    /// - Source: IEEE 754-2019 §3.6.
    public var halfBits: [UInt16]? {
        guard dtype == .float16 else { return nil }
        return convertedElements(UInt16.self) { $0 }
    }

    /// Loads each element's little-endian bits as `Bits` and maps them.
    @inlinable
    func convertedElements<Bits: FixedWidthInteger, Element>(
        _ bits: Bits.Type, _ transform: (Bits) -> Element
    ) -> [Element] {
        let size = MemoryLayout<Bits>.size
        assert(size == dtype.itemSize, "bit width must match the dtype")
        let elementCount = rawBytes.count / size
        return rawBytes.withUnsafeBytes { raw in
            [Element](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
                for index in 0..<elementCount {
                    let stored = raw.loadUnaligned(fromByteOffset: index * size, as: Bits.self)
                    buffer.initializeElement(at: index, to: transform(Bits(littleEndian: stored)))
                }
                initialized = elementCount
            }
        }
    }
}
