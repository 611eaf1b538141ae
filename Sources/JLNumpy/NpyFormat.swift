// JLNumpy: the .npy container — preamble, header dict, data — read and written.

import JLFiles

/// The parsed preamble and header of a `.npy` file.
///
/// ```
/// bytes 0…5    "\x93NUMPY"
/// bytes 6, 7   major, minor version: 1.0 | 2.0 | 3.0
/// next 2 or 4  header length HLEN, little-endian u16 (1.0) or u32 (2.0, 3.0)
/// next HLEN    header: Python dict literal {'descr': …, 'fortran_order': …, 'shape': (…), }
///              Latin-1 (1.0, 2.0) or UTF-8 (3.0), padded with spaces, ending in '\n'
/// dataOffset = 10 + HLEN (1.0) or 12 + HLEN (2.0, 3.0); data = ∏shape · itemSize bytes
/// ```
///
/// - Complexity: parsing is O(HLEN).
/// - Source: NumPy NEP 1; numpy.lib.format (format versions 2.0 and 3.0).
public struct NpyHeader: Sendable, Equatable, Hashable {
    /// The format's major version (1, 2 or 3; minor is always 0).
    public var majorVersion: UInt8
    /// The element type.
    public var dtype: NpyDType
    /// The dimensions, outermost first.
    public var shape: [Int]
    /// ∏ shape.
    public var elementCount: Int
    /// Offset of the first data byte from the start of the file.
    public var dataOffset: Int

    /// The magic string that starts every `.npy` file.
    ///
    /// ```
    /// magic = [0x93] + "NUMPY"
    /// ```
    /// - Complexity: O(1).
    /// - Source: NumPy NEP 1.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Header alignment of files written by this module (and NumPy ≥ 1.14).
    ///
    /// ```
    /// (dataOffset) mod 64 = 0
    /// ```
    /// - Complexity: O(1).
    /// - Source: numpy.lib.format.ARRAY_ALIGN.
    public static let alignment = 64

    /// Parses and validates the preamble and header at the start of `bytes`.
    ///
    /// ```
    /// requires magic, version ∈ {1.0, 2.0, 3.0}, dataOffset ≤ bytes.count,
    ///   keys exactly {descr, fortran_order, shape}, descr supported, fortran_order False,
    ///   shape a tuple of integers 0 … maximumElementCount with ∏ ≤ maximumElementCount
    /// ```
    ///
    /// Keys may come in any order with any whitespace and trailing commas; the data length is
    /// not checked here (see `NpyArray.init(npyBytes:)`).
    ///
    /// - Throws: `.notNpy`, `.unsupportedVersion`, `.truncated`, `.malformedHeader`,
    ///   `.unsupportedDType`, `.bigEndian`, `.fortranOrder`, `.negativeDimension`, `.shapeOverflow`.
    /// - Complexity: O(HLEN).
    /// - Source: NumPy NEP 1; numpy.lib.format.read_array_header_1_0 / _2_0.
    public init(parsing bytes: [UInt8]) throws(NpyError) {
        let magic = Self.magic
        guard !bytes.isEmpty else { throw .notNpy }
        let prefixLength = min(bytes.count, magic.count)
        guard bytes[0..<prefixLength].elementsEqual(magic[0..<prefixLength]) else { throw .notNpy }
        guard bytes.count >= 8 else { throw .truncated(expectedBytes: 10, actualBytes: bytes.count) }
        let major = bytes[6]
        let minor = bytes[7]
        guard (1...3).contains(major), minor == 0 else {
            throw .unsupportedVersion(major: major, minor: minor)
        }
        let preambleLength = major == 1 ? 10 : 12
        guard bytes.count >= preambleLength else {
            throw .truncated(expectedBytes: preambleLength, actualBytes: bytes.count)
        }
        var headerLength = 0
        for index in stride(from: preambleLength - 1, through: 8, by: -1) {
            headerLength = headerLength << 8 | Int(bytes[index])
        }
        let dataOffset = preambleLength + headerLength  // ≤ 12 + 2^32 − 1: no overflow
        guard bytes.count >= dataOffset else {
            throw .truncated(expectedBytes: dataOffset, actualBytes: bytes.count)
        }
        var parser = PythonLiteralParser(bytes: Array(bytes[preambleLength..<dataOffset]), utf8: major == 3)
        let literal = try parser.parseDocument()
        let fields = try Self.fields(of: literal)
        self.majorVersion = major
        self.dtype = fields.dtype
        self.shape = fields.shape
        self.elementCount = fields.elementCount
        self.dataOffset = dataOffset
    }

    /// Validates the header dict and extracts its three fields.
    static func fields(of literal: PythonLiteral) throws(NpyError) -> (dtype: NpyDType, shape: [Int], elementCount: Int) {
        guard case .dict(let entries) = literal else {
            throw .malformedHeader("header is not a dict: \(String(literal.repr.prefix(60)))")
        }
        var values: [String: PythonLiteral] = [:]
        for entry in entries {
            guard case .string(let key) = entry.key else {
                throw .malformedHeader("non-string key \(String(entry.key.repr.prefix(40)))")
            }
            guard ["descr", "fortran_order", "shape"].contains(key) else {
                throw .malformedHeader("unexpected key '\(key.prefix(40))'")
            }
            guard values[key] == nil else { throw .malformedHeader("duplicate key '\(key)'") }
            values[key] = entry.value
        }
        guard let descrValue = values["descr"] else { throw .malformedHeader("missing key 'descr'") }
        guard let orderValue = values["fortran_order"] else { throw .malformedHeader("missing key 'fortran_order'") }
        guard let shapeValue = values["shape"] else { throw .malformedHeader("missing key 'shape'") }

        guard case .string(let descr) = descrValue else {
            // Structured dtypes have a list descr; anything else is not a dtype we read.
            throw .unsupportedDType(descr: String(descrValue.repr.prefix(60)))
        }
        let dtype = try NpyDType(descr: descr)
        guard case .boolean(let fortranOrder) = orderValue else {
            throw .malformedHeader("fortran_order is \(String(orderValue.repr.prefix(40))), expected True or False")
        }
        if fortranOrder { throw .fortranOrder }
        guard case .tuple(let items) = shapeValue else {
            throw .malformedHeader("shape is \(String(shapeValue.repr.prefix(40))), expected a tuple of integers")
        }
        var shape: [Int] = []
        shape.reserveCapacity(items.count)
        for item in items {
            guard case .integer(let dimension) = item else {
                throw .malformedHeader("shape entry \(String(item.repr.prefix(40))) is not an integer")
            }
            guard let dimension else { throw .shapeOverflow("a dimension does not fit in a 64-bit integer") }
            if dimension < 0 { throw .negativeDimension(dimension) }
            shape.append(dimension)
        }
        let elementCount = try NpyArray.elementCount(of: shape)
        return (dtype, shape, elementCount)
    }

    /// The header dict text exactly as NumPy writes it, including the growth padding.
    ///
    /// ```
    /// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " "·(21 − digits(shape[0]))
    /// shape () → "()", shape (n,) → "(n,)"
    /// ```
    ///
    /// - Complexity: O(shape.count).
    /// - Source: numpy.lib.format._write_array_header (GROWTH_AXIS_MAX_DIGITS = 21).
    static func dictText(dtype: NpyDType, shape: [Int]) -> String {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var text = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = shape.first {
            text += String(repeating: " ", count: max(0, 21 - String(first).count))
        }
        return text
    }

    /// Preamble plus padded header for an array, as NumPy's `write_array` with `version=None`.
    ///
    /// ```
    /// hlen = len(dict) + 1;  pad = 64 − (preamble + hlen) mod 64   (1 … 64)
    /// header = magic, version, u16|u32(hlen + pad), dict, " "·pad, "\n"
    /// version 1.0 if hlen + pad ≤ 65535, else 2.0 (the text is ASCII, so 3.0 is never needed)
    /// ```
    ///
    /// - Complexity: O(shape.count).
    /// - Source: numpy.lib.format._wrap_header, _wrap_header_guess_version.
    static func encodedHeader(dtype: NpyDType, shape: [Int]) -> [UInt8] {
        let dict = Array(dictText(dtype: dtype, shape: shape).utf8)
        let lineLength = dict.count + 1  // the final '\n'
        for (major, lengthFieldSize) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let preamble = 8 + lengthFieldSize
            let padding = alignment - (preamble + lineLength) % alignment
            let headerLength = lineLength + padding
            if lengthFieldSize == 2 && headerLength > Int(UInt16.max) { continue }
            var bytes = magic + [major, 0]
            for byteIndex in 0..<lengthFieldSize {
                bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * byteIndex)))
            }
            bytes += dict
            bytes += repeatElement(UInt8(ascii: " "), count: padding)
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        }
        return []  // unreachable: a u32 length always fits a header built from an in-memory shape
    }
}

extension NpyArray {
    /// Decodes a complete `.npy` file held in memory.
    ///
    /// ```
    /// header = NpyHeader(parsing: bytes)
    /// requires bytes.count == header.dataOffset + ∏shape · itemSize
    /// rawBytes = bytes[dataOffset...]
    /// ```
    ///
    /// Never traps: every length and index is checked, so any byte string yields an array or an
    /// `NpyError`.
    ///
    /// - Throws: everything `NpyHeader(parsing:)` throws, `.truncated` and `.trailingBytes`.
    /// - Complexity: O(bytes.count).
    /// - Source: NumPy NEP 1.
    public init(npyBytes bytes: [UInt8]) throws(NpyError) {
        var owned = bytes  // shared with the caller: dropping the header below copies the data once
        try self.init(consumingNpyBytes: &owned)
    }

    /// `init(npyBytes:)` that takes the buffer over: when `bytes` is uniquely referenced (a file
    /// just read), the header is removed in place (one memmove, no second allocation).
    init(consumingNpyBytes bytes: inout [UInt8]) throws(NpyError) {
        let header = try NpyHeader(parsing: bytes)
        let expected = header.dataOffset + header.elementCount * header.dtype.itemSize  // ≤ 2^44: no overflow
        if bytes.count < expected { throw .truncated(expectedBytes: expected, actualBytes: bytes.count) }
        if bytes.count > expected { throw .trailingBytes(expectedBytes: expected, actualBytes: bytes.count) }
        bytes.removeSubrange(0..<header.dataOffset)
        try self.init(shape: header.shape, dtype: header.dtype, rawBytes: bytes)
    }

    /// Reads and decodes the `.npy` file at `path`.
    ///
    /// ```
    /// NpyArray(contentsOfFile: p) = NpyArray(npyBytes: FileReader.readBytes(atPath: p))
    /// ```
    ///
    /// - Throws: `.file(FileError)` when the file cannot be read, else as `init(npyBytes:)`.
    /// - Complexity: O(file size): one read into a new array and one in-place memmove of the data.
    /// - Source: NumPy NEP 1.
    public init(contentsOfFile path: String) throws(NpyError) {
        var bytes: [UInt8]
        do {
            bytes = try FileReader.readBytes(atPath: path)
        } catch {
            throw .file(error)
        }
        try self.init(consumingNpyBytes: &bytes)
    }

    /// The complete `.npy` file: header exactly as NumPy writes it (format 1.0, or 2.0 when the
    /// header exceeds 65535 bytes), then the data in C order.
    ///
    /// ```
    /// npyBytes() = NpyHeader.encodedHeader(dtype, shape) + rawBytes,  header length ≡ 0 (mod 64)
    /// ```
    ///
    /// - Complexity: O(count · itemSize + shape.count).
    /// - Source: numpy.lib.format.write_array (byte-identical output for these dtypes).
    public func npyBytes() -> [UInt8] {
        var bytes = NpyHeader.encodedHeader(dtype: dtype, shape: shape)
        bytes.reserveCapacity(bytes.count + rawBytes.count)
        bytes += rawBytes
        return bytes
    }

    /// Writes the array to `path` atomically (temporary file, fsync, rename; see `AtomicFile`).
    ///
    /// ```
    /// file(path) = npyBytes(), or unchanged and an error thrown
    /// ```
    ///
    /// - Throws: `.file(FileError)`.
    /// - Complexity: O(count · itemSize).
    /// - Source: numpy.lib.format.write_array; JLFiles.AtomicFile.
    public func write(toFile path: String, overwrite: OverwritePolicy = .replace) throws(NpyError) {
        do {
            try AtomicFile.write(npyBytes(), to: path, overwrite: overwrite)
        } catch {
            throw .file(error)
        }
    }
}
