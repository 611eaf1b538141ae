/// Escapes text for XML character data and attribute values.
///
/// ```
/// & → &amp;   < → &lt;   > → &gt;   " → &quot;   ' → &apos;
/// control characters not allowed in XML 1.0 (U+0000–U+001F except tab, LF, CR) → space
/// ```
/// - Complexity: O(length).
/// - Source: W3C XML 1.0 (Fifth Edition) §2.2 (Char) and §2.4 (character data).
public func xmlEscaped(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&apos;"
        case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
        default:
            // XML 1.0 forbids other C0 controls and the non-characters U+FFFE/U+FFFF.
            if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                escaped += " "
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
    }
    return escaped
}

/// Minimal append-only SVG text builder. Attribute values are escaped here; numbers must be
/// pre-formatted with `NumberFormat` so that the output is byte-for-byte deterministic.
struct SVGWriter {
    private(set) var text = ""
    private var depth = 0

    typealias Attributes = KeyValuePairs<String, String>

    private func attributeText(_ attributes: Attributes) -> String {
        var result = ""
        for (name, value) in attributes {
            result += " \(name)=\"\(xmlEscaped(value))\""
        }
        return result
    }

    private var indent: String { String(repeating: "  ", count: depth) }

    mutating func raw(_ line: String) {
        text += line + "\n"
    }

    mutating func open(_ name: String, _ attributes: Attributes = [:]) {
        text += indent + "<\(name)\(attributeText(attributes))>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth = max(depth - 1, 0)
        text += indent + "</\(name)>\n"
    }

    mutating func element(_ name: String, _ attributes: Attributes) {
        text += indent + "<\(name)\(attributeText(attributes))/>\n"
    }

    mutating func textElement(_ content: String, _ attributes: Attributes) {
        text += indent + "<text\(attributeText(attributes))>\(xmlEscaped(content))</text>\n"
    }
}

/// Short alias for coordinate formatting.
@inline(__always)
func fmt(_ value: Double) -> String { NumberFormat.coordinate(value) }

/// Approximate rendered width of `text` in a sans-serif font (0.6 em per character, a safe
/// upper estimate for Helvetica/DejaVu digits and lowercase letters).
func estimatedTextWidth(_ text: String, fontSize: Double) -> Double {
    Double(text.unicodeScalars.count) * fontSize * 0.6
}
