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
            // File errors already name the path; do not say it twice.
            reason.contains(path) ? reason : "cannot write \(path): \(reason)"
        }
    }

    /// The process exit status of `exp-runtime` for this error, as for every `exp-*` tool
    /// (docs/errors.md): 73 (`EX_CANTCREAT`) when an output file cannot be written or exists
    /// without `--overwrite`, 70 (`EX_SOFTWARE`) when a cache fails while running, else 64
    /// (`EX_USAGE`, a bad option).
    public var exitStatus: Int32 {
        switch self {
        case .output: 73
        case .cache: 70
        case .unparsableLengths, .invalidLength, .invalidOption, .unknownValue: 64
        }
    }
}
