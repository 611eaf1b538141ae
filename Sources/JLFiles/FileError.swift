// JLFiles: the typed error of every file operation in this module.

/// Why a file operation failed, with the path it concerns.
///
/// Every case renders as one line that names the path and says what to do
/// (`description`). Cases are `Equatable` so tests and callers can match them exactly.
///
/// ```
/// directoryMissing(path)   the parent directory of `path` does not exist
/// parentNotDirectory(path) a component of the parent of `path` is a regular file
/// notWritable(path)        the OS refused to create a file in the directory of `path`
/// alreadyExists(path)      `.refuseExisting` was asked for and `path` exists
/// isDirectory(path)        `path` names a directory, not a file
/// notRegularFile(path)     `path` names a device, FIFO or socket
/// notFound(path)           reading: `path` does not exist
/// notReadable(path)        reading: the OS refused to open `path`
/// invalidPath(path)        empty path, or one that ends in "/"
/// ioFailure(path, message) any other system call failure; `message` is strerror(errno)
/// ```
///
/// - Complexity: O(1) to construct; `description` is O(length of the path).
/// - Source: POSIX.1-2017 error numbers (ENOENT, ENOTDIR, EACCES, EEXIST, EISDIR).
public enum FileError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The directory that should contain `path` does not exist.
    case directoryMissing(path: String)
    /// A component of the parent of `path` exists but is not a directory.
    case parentNotDirectory(path: String)
    /// The OS refused to create or replace a file at `path` (EACCES, EPERM, EROFS).
    case notWritable(path: String)
    /// `path` exists and the overwrite policy was `.refuseExisting`.
    case alreadyExists(path: String)
    /// `path` names a directory where a regular file was expected.
    case isDirectory(path: String)
    /// `path` does not exist (reading).
    case notFound(path: String)
    /// The OS refused to open `path` for reading (EACCES, EPERM).
    case notReadable(path: String)
    /// `path` exists but is neither a regular file nor a directory (device, FIFO, socket).
    case notRegularFile(path: String)
    /// `path` is empty or ends in "/", so it cannot name a file.
    case invalidPath(path: String)
    /// Any other failing system call on `path`; `message` is the system's text for errno.
    case ioFailure(path: String, message: String)

    /// One line naming the path and what to do about it.
    ///
    /// ```
    /// "cannot write out/a.npy: directory 'out' does not exist (create it first)"
    /// ```
    ///
    /// - Complexity: O(length of the path).
    /// - Source: this module.
    public var description: String {
        switch self {
        case .directoryMissing(let path):
            return "cannot write \(path): directory '\(FilePath.directory(of: path))' does not exist (create it first)"
        case .parentNotDirectory(let path):
            return "cannot use \(path): a component of its parent directory is a regular file, not a directory"
        case .notWritable(let path):
            return "cannot write \(path): permission denied or read-only file system (choose another output path)"
        case .alreadyExists(let path):
            return "refusing to overwrite existing file \(path) (remove it or allow replacing)"
        case .isDirectory(let path):
            return "\(path) is a directory, expected a regular file path"
        case .notFound(let path):
            return "cannot read \(path): no such file (check the path)"
        case .notReadable(let path):
            return "cannot read \(path): permission denied"
        case .notRegularFile(let path):
            return "\(path) exists and is not a regular file (device, FIFO or socket); choose another path"
        case .invalidPath(let path):
            return "invalid file path '\(path)': it is empty or ends in '/'"
        case .ioFailure(let path, let message):
            return "I/O error on \(path): \(message)"
        }
    }
}
