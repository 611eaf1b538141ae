import JLExperimentKit

/// Errors from building or loading experiment inputs. Each message is one line and says what to do.
///
/// Exit statuses (through `experimentError`): a bad parameter is a usage error (64); an
/// unreadable, mis-shaped or non-finite data file is bad input data (65).
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A generator parameter or input option is invalid (exit 64).
    case invalidParameter(String)
    /// A `.npy` file cannot be read or parsed (exit 65).
    case unreadableFile(path: String, reason: String)
    /// A `.npy` array does not have shape (heads, tokens, d) or (tokens, d) (exit 65).
    case badShape(path: String, shape: [Int])
    /// Keys and queries disagree on heads or d (exit 65).
    case shapeMismatch(keys: [Int], queries: [Int])
    /// A value in a data file is NaN or infinite (exit 65).
    case nonFinite(path: String, index: Int)
    /// `--head` or `--query-token` is outside the data (exit 65).
    case indexOutOfRange(what: String, index: Int, count: Int)
    /// `--keys` was given without `--queries` or the reverse (exit 64).
    case incompleteRealData

    public var description: String {
        switch self {
        case let .invalidParameter(message):
            message
        case let .unreadableFile(path, reason):
            "cannot read '\(path)': \(reason)"
        case let .badShape(path, shape):
            "'\(path)' has shape \(Self.shapeText(shape)); expected (heads, tokens, d) or (tokens, d) with every size ≥ 1"
        case let .shapeMismatch(keys, queries):
            "keys \(Self.shapeText(keys)) and queries \(Self.shapeText(queries)) disagree: they need the same layout, head count and d"
        case let .nonFinite(path, index):
            "'\(path)' holds a NaN or infinite value at flat index \(index); clean the data first"
        case let .indexOutOfRange(what, index, count):
            "\(what) \(index) is outside 0..<\(count) of the data"
        case .incompleteRealData:
            "--keys and --queries go together: give both .npy files (or neither for synthetic keys)"
        }
    }

    /// The harness error carrying this message: `.invalidOption` (exit 64) for parameters,
    /// `.invalidInput` (exit 65) for data files.
    public var experimentError: ExperimentError {
        switch self {
        case .invalidParameter, .incompleteRealData: .invalidOption(description)
        default: .invalidInput(description)
        }
    }

    static func shapeText(_ shape: [Int]) -> String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }
}
