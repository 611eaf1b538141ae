// JLNumpy: the element types this module reads and writes.

/// A supported `.npy` element type, named by its little-endian NumPy `descr` string.
///
/// ```
/// float16 = '<f2' (2 bytes, IEEE 754 binary16)   float32 = '<f4' (binary32)
/// float64 = '<f8' (binary64)                      int32 = '<i4'   int64 = '<i8' (two's complement)
/// ```
///
/// - Complexity: O(1) per property.
/// - Source: NumPy array-interface type strings (numpy.dtype.descr); IEEE 754-2019.
public enum NpyDType: String, Sendable, Hashable, CaseIterable {
    /// IEEE binary16, `<f2`.
    case float16 = "<f2"
    /// IEEE binary32, `<f4`.
    case float32 = "<f4"
    /// IEEE binary64, `<f8`.
    case float64 = "<f8"
    /// 32-bit signed integer, `<i4`.
    case int32 = "<i4"
    /// 64-bit signed integer, `<i8`.
    case int64 = "<i8"

    /// The NumPy descr string written to headers, e.g. `<f4`.
    ///
    /// ```
    /// descr = "<" + kind + itemSize
    /// ```
    /// - Complexity: O(1).
    /// - Source: numpy.lib.format.dtype_to_descr.
    public var descr: String { rawValue }

    /// Bytes per element.
    ///
    /// ```
    /// itemSize(<f2)=2, (<f4)=4, (<i4)=4, (<f8)=8, (<i8)=8
    /// ```
    /// - Complexity: O(1).
    /// - Source: numpy.dtype.itemsize.
    public var itemSize: Int {
        switch self {
        case .float16: return 2
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    /// Whether the type is a floating-point type.
    ///
    /// ```
    /// isFloatingPoint ⇔ kind == 'f'
    /// ```
    /// - Complexity: O(1).
    /// - Source: numpy.dtype.kind.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .float32, .float64: return true
        case .int32, .int64: return false
        }
    }

    /// Parses a header `descr` string.
    ///
    /// ```
    /// '<' kind size  → little-endian
    /// '=' kind size, or kind size alone → native order (little-endian on little-endian hosts)
    /// '>' kind size  → NpyError.bigEndian when kind size is supported
    /// '|' …, other kinds or sizes → NpyError.unsupportedDType
    /// ```
    ///
    /// - Throws: `NpyError.bigEndian` or `NpyError.unsupportedDType`.
    /// - Complexity: O(length of descr).
    /// - Source: NumPy array-interface byte-order characters.
    public init(descr: String) throws(NpyError) {
        var body = Substring(descr)
        var order: Character = "="
        if let first = body.first, "<>=|".contains(first) {
            order = first
            body = body.dropFirst()
        }
        let kind: NpyDType?
        switch body {
        case "f2": kind = .float16
        case "f4": kind = .float32
        case "f8": kind = .float64
        case "i4": kind = .int32
        case "i8": kind = .int64
        default: kind = nil
        }
        guard let kind else { throw .unsupportedDType(descr: "'\(descr)'") }
        switch order {
        case "<":
            self = kind
        case "=":
            #if _endian(little)
            self = kind
            #else
            throw .bigEndian(descr: descr)
            #endif
        case ">":
            throw .bigEndian(descr: descr)
        default:
            // '|' (not applicable) is only meaningful for 1-byte types, none of which are supported.
            throw .unsupportedDType(descr: "'\(descr)'")
        }
    }
}
