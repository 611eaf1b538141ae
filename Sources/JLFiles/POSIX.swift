// JLFiles: the thin, internal boundary to the C library (open/write/fsync/rename/stat).
// Everything above this file speaks Swift types and `FileError`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("JLFiles needs a POSIX C library (Glibc, Musl or Darwin)")
#endif

/// Path splitting without Foundation.
enum FilePath {
    /// The directory part of `path`: "." when there is no "/", "/" for top-level names.
    ///
    /// ```
    /// directory("a/b/c.npy") = "a/b";  directory("c.npy") = ".";  directory("/c") = "/"
    /// ```
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash]
        // Collapse a run of trailing slashes in the directory part ("a//b" → "a").
        let trimmed = head.reversed().drop(while: { $0 == "/" })
        if trimmed.isEmpty { return "/" }
        return String(trimmed.reversed())
    }

    /// The last component of `path` (after the last "/").
    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// The kind of object a path names, from stat(2).
enum FileKind: Equatable {
    case missing
    case regular
    case directory
    case other
}

enum POSIX {
    /// The system's message for `code` (strerror).
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text) + " (errno \(code))"
    }

    static var errorNumber: Int32 { errno }

    /// stat(2) the path, following symlinks. ENOENT → `.missing`; ENOTDIR → parentNotDirectory.
    /// Errors name `reportAs` (the path the caller was given), defaulting to `path`.
    static func kind(of path: String, reportAs: String? = nil) throws(FileError) -> (kind: FileKind, mode: mode_t) {
        let reported = reportAs ?? path
        var info = stat()
        if stat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR { return (.directory, info.st_mode) }
            if type == S_IFREG { return (.regular, info.st_mode) }
            return (.other, info.st_mode)
        }
        let code = errno
        switch code {
        case ENOENT: return (.missing, 0)
        case ENOTDIR: throw .parentNotDirectory(path: reported)
        case EACCES: throw .notWritable(path: reported)
        default: throw .ioFailure(path: reported, message: message(code))
        }
    }

    /// Closes `descriptor`, retrying nothing (close must not be retried on Linux).
    @discardableResult
    static func close(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        return Glibc.close(descriptor)
        #elseif canImport(Musl)
        return Musl.close(descriptor)
        #else
        return Darwin.close(descriptor)
        #endif
    }

    /// Writes every byte of `buffer`, looping over short writes and EINTR.
    static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(FileError) {
        guard var cursor = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let written = write(descriptor, cursor, remaining)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .ioFailure(path: path, message: message(code))
            }
            if written == 0 {
                throw .ioFailure(path: path, message: "write(2) wrote 0 bytes")
            }
            remaining -= written
            cursor += written
        }
    }

    /// fsync(2), retrying on EINTR.
    static func sync(_ descriptor: Int32, path: String) throws(FileError) {
        while fsync(descriptor) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw .ioFailure(path: path, message: message(code))
        }
    }

    /// Best-effort fsync of a directory so that a rename inside it is durable.
    /// Some file systems refuse fsync on directories; that is not an error for the caller.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// Maps an errno from creating a file in the directory of `path` to a `FileError`.
    static func creationError(_ code: Int32, path: String) -> FileError {
        switch code {
        case EACCES, EPERM, EROFS: return .notWritable(path: path)
        case ENOENT: return .directoryMissing(path: path)
        case ENOTDIR: return .parentNotDirectory(path: path)
        case EISDIR: return .isDirectory(path: path)
        case EEXIST: return .alreadyExists(path: path)
        default: return .ioFailure(path: path, message: message(code))
        }
    }
}
