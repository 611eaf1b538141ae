/// Errors of the runtime study (`exp-runtime`). Every case prints as one actionable line.
public enum RuntimeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--lengths` could not be parsed.
    case unparsableLengths(String)
    /// A sequence length is not usable (≤ 0, or not a multiple of the group/buffer size).
    case invalidLength(length: Int, requirement: String)
    /// A numeric option is out of range.
    case invalidOption(name: String, value: Int, requirement: String)
    /// An option value is not one of the accepted words.
    case unknownValue(name: String, value: String, accepted: [String])
    /// Building or running a cache failed (the wrapped message says why).
    case cache(String)
    /// Writing an output file failed.
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unparsableLengths(text):
            "--lengths '\(text)': expected comma-separated whole numbers, e.g. 1024,2048,4096"
        case let .invalidLength(length, requirement):
            "sequence length \(length) is invalid: it must be \(requirement)"
        case let .invalidOption(name, value, requirement):
            "\(name) \(value) is invalid: it must be \(requirement)"
        case let .unknownValue(name, value, accepted):
            "\(name) '\(value)' is not recognized; use one of \(accepted.joined(separator: ", "))"
        case let .cache(message):
            "cache error: \(message)"
        case let .output(path, reason):
            "cannot write \(path): \(reason)"
        }
    }
}
