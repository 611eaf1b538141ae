// JLFiles: writing a whole file so that readers (and crashes) never see a partial file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What to do when the target path already exists.
///
/// ```
/// .replace         the existing file is replaced atomically (rename(2))
/// .refuseExisting  the write fails with FileError.alreadyExists; the existing file is untouched
/// ```
///
/// - Complexity: O(1).
/// - Source: POSIX rename(2) and link(2) semantics.
public enum OverwritePolicy: Sendable, Equatable, Hashable {
    /// Replace an existing regular file atomically.
    case replace
    /// Fail with `FileError.alreadyExists` if the target exists.
    case refuseExisting
}

/// Atomic whole-file writes: temporary file in the same directory, fsync, rename into place.
///
/// ```
/// tmp = DIR/.NAME.tmp-<pid>-<n>      (created with O_CREAT|O_EXCL, n = 0, 1, 2, … until unique)
/// write(tmp, bytes); fsync(tmp); close(tmp)
/// rename(tmp, DIR/NAME)              (.replace)   or   link(tmp, DIR/NAME); unlink(tmp)   (.refuseExisting)
/// fsync(DIR)                         (best effort)
/// ```
///
/// Guarantees: after a successful return the target holds exactly `bytes`, durably. On any thrown
/// error the temporary file is removed and the target is untouched. If the process is killed
/// mid-write, the target is either the old file or absent — never partial — though a stale
/// `.NAME.tmp-*` file may remain in the directory.
///
/// Uniqueness of the temporary name comes from `O_EXCL` retries, not from shared state, so
/// concurrent writers (threads or processes) never share a temporary file.
///
/// A symbolic link at the target path is replaced by a regular file (the link is not followed).
///
/// - Complexity: O(n) in the number of bytes, plus a constant number of system calls.
/// - Source: POSIX.1-2017 rename(2) atomicity; the write–fsync–rename idiom (Pillai et al.,
///   "All File Systems Are Not Created Equal", OSDI 2014).
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically (see the type's documentation for the protocol).
    ///
    /// ```
    /// target(path) = bytes, or unchanged and an error thrown
    /// ```
    ///
    /// `Data` (Foundation) and `[UInt8]` both satisfy `Collection<UInt8>`; contiguous storage is
    /// written without a copy.
    ///
    /// - Parameters:
    ///   - bytes: the complete new contents.
    ///   - path: the target file; its directory must exist.
    ///   - overwrite: `.replace` or `.refuseExisting`.
    /// - Throws: `FileError` — `.invalidPath`, `.directoryMissing`, `.parentNotDirectory`,
    ///   `.notWritable`, `.alreadyExists`, `.isDirectory`, `.notRegularFile`, `.ioFailure`.
    /// - Complexity: O(bytes.count).
    /// - Source: see `AtomicFile`.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String, overwrite: OverwritePolicy
    ) throws(FileError) {
        let target = try validateTarget(path, overwrite: overwrite)
        var outcome: Result<Void, FileError> = .success(())
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            outcome = Result { () throws(FileError) in
                try writeContiguous(UnsafeRawBufferPointer(buffer), target: target, overwrite: overwrite)
            }
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { buffer in
                outcome = Result { () throws(FileError) in
                    try writeContiguous(buffer, target: target, overwrite: overwrite)
                }
            }
        }
        try outcome.get()
    }

    /// Checks, before a long computation, that `write(_:to:overwrite:)` could create `path`.
    ///
    /// ```
    /// ok ⇔ dir(path) is an existing directory ∧ path is not a directory/device
    ///      ∧ (overwrite == .replace ∨ path does not exist)
    ///      ∧ a probe file can be created (and is removed) in dir(path)
    /// ```
    ///
    /// The probe creates and deletes `.NAME.tmp-<pid>-<n>`; the target itself is not touched.
    /// Running as root, permission bits do not block the probe (nor the later write).
    ///
    /// - Throws: the same `FileError` cases as `write(_:to:overwrite:)` would for the path.
    /// - Complexity: O(1) system calls.
    /// - Source: see `AtomicFile`.
    public static func checkWritable(path: String, overwrite: OverwritePolicy) throws(FileError) {
        let target = try validateTarget(path, overwrite: overwrite)
        let temporary = try createTemporary(target: target)
        POSIX.close(temporary.descriptor)
        _ = unlink(temporary.path)
    }

    /// The pieces of a validated target path.
    struct Target {
        var path: String
        var directory: String
        var name: String
        /// Permission bits of the file being replaced, if any.
        var existingMode: mode_t?
    }

    /// Validates the path and the state of its directory and target.
    static func validateTarget(_ path: String, overwrite: OverwritePolicy) throws(FileError) -> Target {
        let name = FilePath.fileName(of: path)
        guard !path.isEmpty, !name.isEmpty, name != ".", name != ".." else {
            throw .invalidPath(path: path)
        }
        let directory = FilePath.directory(of: path)
        switch try POSIX.kind(of: directory, reportAs: path).kind {
        case .missing: throw .directoryMissing(path: path)
        case .directory: break
        case .regular, .other: throw .parentNotDirectory(path: path)
        }
        let existing = try POSIX.kind(of: path)
        var existingMode: mode_t? = nil
        switch existing.kind {
        case .missing: break
        case .directory: throw .isDirectory(path: path)
        case .other: throw .notRegularFile(path: path)
        case .regular:
            if overwrite == .refuseExisting { throw .alreadyExists(path: path) }
            existingMode = existing.mode & 0o7777
        }
        return Target(path: path, directory: directory, name: name, existingMode: existingMode)
    }

    /// Creates a fresh temporary file next to the target with O_EXCL.
    static func createTemporary(target: Target) throws(FileError) -> (descriptor: Int32, path: String) {
        // Keep the temporary name well under NAME_MAX (255 bytes) whatever the target's length.
        var stem = Substring(target.name)
        while stem.utf8.count > 160 { stem = stem.dropLast() }
        let prefix = target.directory == "/" ? "/" : target.directory + "/"
        let processID = getpid()
        for attempt in 0..<100_000 {
            let temporaryPath = "\(prefix).\(stem).tmp-\(processID)-\(attempt)"
            let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 { return (descriptor, temporaryPath) }
            let code = POSIX.errorNumber
            if code == EEXIST || code == EINTR { continue }
            throw POSIX.creationError(code, path: target.path)
        }
        throw .ioFailure(path: target.path, message: "could not find an unused temporary file name")
    }

    /// The write–fsync–rename protocol on a contiguous buffer; removes the temporary on failure.
    static func writeContiguous(
        _ buffer: UnsafeRawBufferPointer, target: Target, overwrite: OverwritePolicy
    ) throws(FileError) {
        let temporary = try createTemporary(target: target)
        var descriptor: Int32? = temporary.descriptor
        do throws(FileError) {
            if let mode = target.existingMode {
                _ = fchmod(temporary.descriptor, mode)  // keep the replaced file's permissions
            }
            try POSIX.writeAll(temporary.descriptor, buffer, path: target.path)
            try POSIX.sync(temporary.descriptor, path: target.path)
            descriptor = nil
            if POSIX.close(temporary.descriptor) != 0 {
                throw .ioFailure(path: target.path, message: POSIX.message(POSIX.errorNumber))
            }
            try commit(temporaryPath: temporary.path, target: target, overwrite: overwrite)
        } catch {
            if let open = descriptor { POSIX.close(open) }
            _ = unlink(temporary.path)
            throw error
        }
        POSIX.syncDirectory(target.directory)
    }

    /// Moves the finished temporary file into place according to the policy.
    static func commit(temporaryPath: String, target: Target, overwrite: OverwritePolicy) throws(FileError) {
        switch overwrite {
        case .replace:
            if rename(temporaryPath, target.path) != 0 {
                let code = POSIX.errorNumber
                throw code == EISDIR ? .isDirectory(path: target.path) : POSIX.creationError(code, path: target.path)
            }
        case .refuseExisting:
            // link(2) fails with EEXIST if the target appeared since validation: no race.
            if link(temporaryPath, target.path) == 0 {
                _ = unlink(temporaryPath)
                return
            }
            let code = POSIX.errorNumber
            if code == EEXIST { throw .alreadyExists(path: target.path) }
            if code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV {
                // File system without hard links: check-then-rename (a small race remains).
                if try POSIX.kind(of: target.path).kind != .missing { throw .alreadyExists(path: target.path) }
                if rename(temporaryPath, target.path) != 0 {
                    throw POSIX.creationError(POSIX.errorNumber, path: target.path)
                }
                return
            }
            throw POSIX.creationError(code, path: target.path)
        }
    }
}
