// JLNumpy: Swift scalar types that map one-to-one onto a supported dtype.

/// A Swift type whose values are stored bit-for-bit as one `NpyDType`.
///
/// ```
/// Float ↔ '<f4'   Double ↔ '<f8'   Int32 ↔ '<i4'   Int64 ↔ '<i8'   Float16 ↔ '<f2' (where available)
/// stored bytes = npyBits.littleEndian
/// ```
///
/// - Complexity: O(1) per conversion.
/// - Source: NumPy array-interface type strings; IEEE 754-2019 interchange formats.
public protocol NpyScalar: Sendable {
    /// The unsigned integer holding the stored bit pattern.
    associatedtype NpyBits: FixedWidthInteger & UnsignedInteger
    /// The dtype this type is stored as.
    static var npyDType: NpyDType { get }
    /// Reconstructs a value from its stored bit pattern (host byte order).
    init(npyBits: NpyBits)
    /// The stored bit pattern (host byte order).
    var npyBits: NpyBits { get }
}

extension Float: NpyScalar {
    /// `<f4`.
    public static var npyDType: NpyDType { .float32 }
    /// `Float(bitPattern:)`.
    @inlinable public init(npyBits: UInt32) { self.init(bitPattern: npyBits) }
    /// `bitPattern`.
    @inlinable public var npyBits: UInt32 { bitPattern }
}

extension Double: NpyScalar {
    /// `<f8`.
    public static var npyDType: NpyDType { .float64 }
    /// `Double(bitPattern:)`.
    @inlinable public init(npyBits: UInt64) { self.init(bitPattern: npyBits) }
    /// `bitPattern`.
    @inlinable public var npyBits: UInt64 { bitPattern }
}

extension Int32: NpyScalar {
    /// `<i4`.
    public static var npyDType: NpyDType { .int32 }
    /// Two's complement reinterpretation.
    @inlinable public init(npyBits: UInt32) { self.init(bitPattern: npyBits) }
    /// Two's complement bit pattern.
    @inlinable public var npyBits: UInt32 { UInt32(bitPattern: self) }
}

extension Int64: NpyScalar {
    /// `<i8`.
    public static var npyDType: NpyDType { .int64 }
    /// Two's complement reinterpretation.
    @inlinable public init(npyBits: UInt64) { self.init(bitPattern: npyBits) }
    /// Two's complement bit pattern.
    @inlinable public var npyBits: UInt64 { UInt64(bitPattern: self) }
}

#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
@available(macOS 11.0, iOS 14.0, tvOS 14.0, watchOS 7.0, *)
extension Float16: NpyScalar {
    /// `<f2`.
    public static var npyDType: NpyDType { .float16 }
    /// `Float16(bitPattern:)`.
    @inlinable public init(npyBits: UInt16) { self.init(bitPattern: npyBits) }
    /// `bitPattern`.
    @inlinable public var npyBits: UInt16 { bitPattern }
}
#endif
