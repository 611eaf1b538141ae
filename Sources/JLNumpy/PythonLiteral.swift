// JLNumpy: a tiny parser for the Python literal subset that .npy headers use.
// Total on every input: bounded nesting, checked integer arithmetic, no force unwraps.

/// A Python literal value as found in a `.npy` header.
enum PythonLiteral: Equatable {
    /// An integer; `nil` magnitude when it does not fit in `Int`.
    case integer(Int?)
    case string(String)
    case boolean(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: PythonLiteral, value: PythonLiteral)])

    static func == (lhs: PythonLiteral, rhs: PythonLiteral) -> Bool {
        switch (lhs, rhs) {
        case let (.integer(a), .integer(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.boolean(a), .boolean(b)): return a == b
        case (.none, .none): return true
        case let (.tuple(a), .tuple(b)), let (.list(a), .list(b)): return a == b
        case let (.dict(a), .dict(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A short Python-like rendering for error messages.
    var repr: String {
        switch self {
        case .integer(let value): return value.map(String.init) ?? "<integer too large>"
        case .string(let text): return "'\(text)'"
        case .boolean(let value): return value ? "True" : "False"
        case .none: return "None"
        case .tuple(let items):
            return items.count == 1 ? "(\(items[0].repr),)" : "(" + items.map(\.repr).joined(separator: ", ") + ")"
        case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
        case .dict(let entries): return "{" + entries.map { "\($0.key.repr): \($0.value.repr)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Recursive-descent parser over header bytes.
///
/// Grammar (whitespace = space, tab, CR, LF between tokens):
/// ```
/// value  := dict | tuple | list | string | integer | True | False | None
/// dict   := '{' [ value ':' value { ',' value ':' value } [','] ] '}'
/// tuple  := '(' ')' | '(' value ',' [ value { ',' value } [','] ] ')'     ('(' value ')' is just value)
/// list   := '[' [ value { ',' value } [','] ] ']'
/// string := "'" chars "'" | '"' chars '"'        (backslash escapes the next character)
/// integer:= ['+'|'-'] digit { digit } ['L'|'l']  (Python 2 long suffix, as NumPy accepts)
/// ```
struct PythonLiteralParser {
    /// Nesting deeper than this is rejected (headers nest at most 3 levels).
    static let maximumDepth = 32

    let bytes: [UInt8]
    /// Whether strings are UTF-8 (format 3.0) rather than Latin-1 (1.0, 2.0).
    let utf8: Bool
    var position = 0

    init(bytes: [UInt8], utf8: Bool) {
        self.bytes = bytes
        self.utf8 = utf8
    }

    /// Parses the whole input as one value followed only by whitespace.
    mutating func parseDocument() throws(NpyError) -> PythonLiteral {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < bytes.count {
            throw .malformedHeader("unexpected \(describeCurrent()) after the header dict")
        }
        return value
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    func describeCurrent() -> String {
        guard let byte = current else { return "end of header" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))' at offset \(position)" }
        return "byte 0x\(String(byte, radix: 16)) at offset \(position)"
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(NpyError) {
        skipWhitespace()
        guard current == byte else { throw .malformedHeader("expected \(what), found \(describeCurrent())") }
        position += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if current == byte {
            position += 1
            return true
        }
        return false
    }

    mutating func parseValue(depth: Int) throws(NpyError) -> PythonLiteral {
        guard depth < Self.maximumDepth else {
            throw .malformedHeader("nesting deeper than \(Self.maximumDepth) levels")
        }
        skipWhitespace()
        guard let byte = current else { throw .malformedHeader("unexpected end of header") }
        switch byte {
        case UInt8(ascii: "{"): return try parseDict(depth: depth)
        case UInt8(ascii: "("): return try parseTuple(depth: depth)
        case UInt8(ascii: "["):
            position += 1
            return .list(try parseItems(closing: UInt8(ascii: "]"), depth: depth).items)
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString(quote: byte))
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"): return try parseInteger()
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
            return try parseIdentifier()
        default:
            throw .malformedHeader("unexpected \(describeCurrent())")
        }
    }

    mutating func parseDict(depth: Int) throws(NpyError) -> PythonLiteral {
        position += 1  // '{'
        var entries: [(key: PythonLiteral, value: PythonLiteral)] = []
        while true {
            if consume(UInt8(ascii: "}")) { return .dict(entries) }
            let key = try parseValue(depth: depth + 1)
            try expect(UInt8(ascii: ":"), "':' after dict key \(key.repr)")
            let value = try parseValue(depth: depth + 1)
            entries.append((key, value))
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in dict")
            return .dict(entries)
        }
    }

    mutating func parseTuple(depth: Int) throws(NpyError) -> PythonLiteral {
        position += 1  // '('
        let (items, sawComma) = try parseItems(closing: UInt8(ascii: ")"), depth: depth)
        // Python: "(x)" is the parenthesized x, not a 1-tuple; "()" and "(x,)" are tuples.
        if items.count == 1 && !sawComma { return items[0] }
        return .tuple(items)
    }

    /// Comma-separated values up to `closing` (opening bracket already consumed).
    mutating func parseItems(closing: UInt8, depth: Int) throws(NpyError) -> (items: [PythonLiteral], sawComma: Bool) {
        var items: [PythonLiteral] = []
        var sawComma = false
        while true {
            if consume(closing) { return (items, sawComma) }
            items.append(try parseValue(depth: depth + 1))
            if consume(UInt8(ascii: ",")) {
                sawComma = true
                continue
            }
            try expect(closing, "',' or '\(Character(Unicode.Scalar(closing)))'")
            return (items, sawComma)
        }
    }

    mutating func parseString(quote: UInt8) throws(NpyError) -> String {
        let start = position
        position += 1
        var content: [UInt8] = []
        while let byte = current {
            position += 1
            if byte == quote { return try decode(content) }
            if byte == UInt8(ascii: "\\") {
                guard let escaped = current else { break }
                position += 1
                content.append(escaped)
                continue
            }
            if byte == 0x0A { break }  // Python string literals cannot span lines
            content.append(byte)
        }
        throw .malformedHeader("unterminated string starting at offset \(start)")
    }

    func decode(_ content: [UInt8]) throws(NpyError) -> String {
        if utf8 {
            guard let text = String(validating: content, as: UTF8.self) else {
                throw .malformedHeader("string is not valid UTF-8")
            }
            return text
        }
        // Latin-1: each byte is the Unicode scalar of the same value.
        return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
    }

    mutating func parseInteger() throws(NpyError) -> PythonLiteral {
        var negative = false
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") {
            negative = current == UInt8(ascii: "-")
            position += 1
            skipWhitespace()  // Python allows "- 3"
        }
        var magnitude: Int? = 0
        var digits = 0
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let digit = Int(byte - UInt8(ascii: "0"))
            if let value = magnitude {
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = shifted.addingReportingOverflow(digit)
                magnitude = overflow1 || overflow2 ? nil : next
            }
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw .malformedHeader("expected digits, found \(describeCurrent())") }
        if current == UInt8(ascii: "L") || current == UInt8(ascii: "l") { position += 1 }
        if let byte = current, Self.isIdentifierByte(byte) {
            throw .malformedHeader("invalid integer literal near offset \(position)")
        }
        return .integer(magnitude.map { negative ? -$0 : $0 })
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    mutating func parseIdentifier() throws(NpyError) -> PythonLiteral {
        let start = position
        while let byte = current, Self.isIdentifierByte(byte) { position += 1 }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        switch word {
        case "True": return .boolean(true)
        case "False": return .boolean(false)
        case "None": return .none
        default: throw .malformedHeader("unexpected name '\(word.prefix(40))' at offset \(start)")
        }
    }
}
