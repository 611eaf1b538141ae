// JLNumpy: the typed error of every .npy operation.

import JLFiles

/// Why reading, building or writing a `.npy` array failed.
///
/// Every case renders as one line saying what is wrong and, where possible, what to do.
///
/// ```
/// notNpy                         the first six bytes are not "\x93NUMPY"
/// unsupportedVersion(maj, min)   version other than 1.0, 2.0, 3.0
/// malformedHeader(detail)        header dict cannot be parsed or has wrong keys/values
/// bigEndian(descr)               '>f4' etc.: re-save little-endian (arr.astype('<f4'))
/// fortranOrder                   fortran_order True: re-save C-contiguous (np.ascontiguousarray)
/// unsupportedDType(descr)        anything but <f2 <f4 <f8 <i4 <i8 (object, complex, strings, …)
/// truncated(expected, actual)    file shorter than preamble + header + ∏shape · itemsize
/// trailingBytes(expected, actual) file longer than that
/// shapeOverflow(detail)          a dimension or ∏shape exceeds NpyArray.maximumElementCount
/// negativeDimension(value)       a dimension below zero
/// byteCountMismatch / elementCountMismatch / notRepresentable / dtypeMismatch   building arrays
/// file(FileError)                the file system refused (see JLFiles.FileError)
/// ```
///
/// - Complexity: O(1) to construct; `description` is O(length of the detail).
/// - Source: NumPy NEP 1, "A Simple File Format for NumPy Arrays" (numpy.lib.format).
public enum NpyError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The data does not start with the magic string `\x93NUMPY`.
    case notNpy
    /// The format version is not 1.0, 2.0 or 3.0.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The header is not the expected Python dict literal; `detail` says where it went wrong.
    case malformedHeader(String)
    /// The dtype is big-endian (e.g. `>f4`); only little-endian data is read.
    case bigEndian(descr: String)
    /// The array is stored in Fortran (column-major) order; only C order is read.
    case fortranOrder
    /// The dtype is not one of `<f2`, `<f4`, `<f8`, `<i4`, `<i8`.
    case unsupportedDType(descr: String)
    /// The file has fewer bytes than its header declares (sizes of the whole file).
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// The file has more bytes than its header declares (sizes of the whole file).
    case trailingBytes(expectedBytes: Int, actualBytes: Int)
    /// A dimension, or the product of the shape, exceeds `NpyArray.maximumElementCount`.
    case shapeOverflow(String)
    /// A dimension of the shape is negative.
    case negativeDimension(Int)
    /// Raw bytes given to `NpyArray(shape:dtype:rawBytes:)` do not match ∏shape · itemsize.
    case byteCountMismatch(expectedBytes: Int, actualBytes: Int)
    /// The number of values does not match ∏shape.
    case elementCountMismatch(expected: Int, actual: Int)
    /// A value cannot be stored exactly in an integer dtype (fractional, NaN or out of range).
    case notRepresentable(value: Double, dtype: NpyDType)
    /// `storedValues(as:)` asked for a scalar type other than the stored dtype.
    case dtypeMismatch(stored: NpyDType, requested: NpyDType)
    /// The file system refused to read or write the file.
    case file(FileError)

    /// One line saying what is wrong and what to do.
    ///
    /// ```
    /// "big-endian dtype '>f4' is not supported; re-save with arr.astype('<f4')"
    /// ```
    ///
    /// Text taken from the file (keys, descr strings) may hold line breaks or other control
    /// characters; they are shown as `\u{XX}` escapes so the message stays one line.
    ///
    /// - Complexity: O(length of the detail).
    /// - Source: this module.
    public var description: String { Self.singleLine(multiLineDescription) }

    /// Replaces control characters and Unicode line/paragraph separators with `\u{XX}` escapes.
    ///
    /// ```
    /// singleLine(s) = s with each scalar c ∈ C0 \ {tab} ∪ {DEL} ∪ C1 ∪ {U+2028, U+2029} → "\u{" hex(c) "}"
    /// ```
    ///
    /// - Complexity: O(length of text).
    /// - Source: this module (found by Fuzz/npy: a CR inside a header key split the message).
    static func singleLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isEscaped) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isEscaped(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// Whether `scalar` could break a one-line message (tab is kept).
    private static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value < 0x20 && value != 0x09) || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }

    /// The message before line breaks are escaped.
    private var multiLineDescription: String {
        switch self {
        case .notNpy:
            return "not a .npy file: missing the \\x93NUMPY magic string"
        case .unsupportedVersion(let major, let minor):
            return "unsupported .npy format version \(major).\(minor); supported: 1.0, 2.0, 3.0"
        case .malformedHeader(let detail):
            return "malformed .npy header: \(detail)"
        case .bigEndian(let descr):
            return "big-endian dtype '\(descr)' is not supported; re-save with arr.astype('<\(descr.dropFirst())')"
        case .fortranOrder:
            return "Fortran-order .npy arrays are not supported; re-save with np.ascontiguousarray(arr)"
        case .unsupportedDType(let descr):
            return "unsupported dtype \(descr); supported: <f2, <f4, <f8, <i4, <i8"
        case .truncated(let expected, let actual):
            return "truncated .npy data: header declares \(expected) bytes in total, file has \(actual)"
        case .trailingBytes(let expected, let actual):
            return ".npy size mismatch: header declares \(expected) bytes in total, file has \(actual) (trailing bytes)"
        case .shapeOverflow(let detail):
            return "shape too large: \(detail) (limit \(NpyArray.maximumElementCount) elements)"
        case .negativeDimension(let value):
            return "negative dimension \(value) in shape"
        case .byteCountMismatch(let expected, let actual):
            return "raw data has \(actual) bytes, shape and dtype need \(expected)"
        case .elementCountMismatch(let expected, let actual):
            return "got \(actual) values, the shape needs \(expected)"
        case .notRepresentable(let value, let dtype):
            return "value \(value) cannot be stored exactly as \(dtype.descr)"
        case .dtypeMismatch(let stored, let requested):
            return "array stores \(stored.descr), not \(requested.descr); use values(as:) to convert"
        case .file(let error):
            return error.description
        }
    }
}
