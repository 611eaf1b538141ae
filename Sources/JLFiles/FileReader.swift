// JLFiles: reading a whole regular file into memory with typed errors.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files into `[UInt8]`.
///
/// ```
/// readBytes(path) = the file's bytes [b₀, b₁, …, b_{n−1}] at the time of reading
/// ```
///
/// - Complexity: O(n) in the file size.
/// - Source: POSIX.1-2017 open(2), fstat(2), read(2).
public enum FileReader {
    /// Reads the entire regular file at `path`.
    ///
    /// ```
    /// bytes = read(fd, …) until end of file (short reads and EINTR retried)
    /// ```
    ///
    /// - Throws: `FileError.notFound`, `.notReadable`, `.isDirectory`, `.parentNotDirectory`,
    ///   `.notRegularFile`, `.invalidPath` (empty path) or `.ioFailure`.
    /// - Complexity: O(n) in the file size; one allocation when the size is known up front.
    /// - Source: see `FileReader`.
    public static func readBytes(atPath path: String) throws(FileError) -> [UInt8] {
        guard !path.isEmpty else { throw .invalidPath(path: path) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = POSIX.errorNumber
            switch code {
            case ENOENT: throw .notFound(path: path)
            case EACCES, EPERM: throw .notReadable(path: path)
            case EISDIR: throw .isDirectory(path: path)
            case ENOTDIR: throw .parentNotDirectory(path: path)
            default: throw .ioFailure(path: path, message: POSIX.message(code))
            }
        }
        defer { POSIX.close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .ioFailure(path: path, message: POSIX.message(POSIX.errorNumber))
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { throw .isDirectory(path: path) }
        if type != S_IFREG { throw .notRegularFile(path: path) }

        // The size fstat reports is read straight into the array's storage (no staging copy);
        // the loop below then reads whatever is left until end of file (a file that grew, or one
        // whose reported size is 0, such as a pipe-like special file that passed the checks).
        let expected = Int(clamping: info.st_size)
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initializedCount in
            var filled = 0
            while filled < expected, let base = buffer.baseAddress {
                let count = read(descriptor, base + filled, expected - filled)
                if count < 0 {
                    let code = POSIX.errorNumber
                    if code == EINTR { continue }
                    failure = code
                    break
                }
                if count == 0 { break }
                filled += count
            }
            initializedCount = filled
        }
        if failure != 0 {
            throw failure == EISDIR ? .isDirectory(path: path) : .ioFailure(path: path, message: POSIX.message(failure))
        }
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = read(descriptor, chunk.baseAddress, chunkSize)
            if count < 0 {
                let code = POSIX.errorNumber
                if code == EINTR { continue }
                throw code == EISDIR ? .isDirectory(path: path) : .ioFailure(path: path, message: POSIX.message(code))
            }
            if count == 0 { break }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
        return bytes
    }
}
