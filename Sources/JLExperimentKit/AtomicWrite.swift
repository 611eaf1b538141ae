#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `bytes` to `path` atomically: readers see the old file or the complete new one, never
/// a partial one, and no temporary file is left behind on failure.
///
/// ```
/// temp = mkstemp(dirname(path)/.basename.tmp-XXXXXX); write; fchmod 0644; fsync; close
/// overwrite ? rename(temp, path) : link(temp, path) then unlink(temp)   // link fails if path exists
/// fsync(dirname(path))
/// ```
/// - Complexity: O(bytes.count) plus three syscalls that may wait for the disk.
func writeFileAtomically(_ bytes: [UInt8], to path: String, overwrite: Bool) throws(ExperimentError) {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    guard let baseName = components.last, !baseName.isEmpty else {
        throw .cannotCreateOutput(path: path, reason: "the path names a directory")
    }
    let directory = components.count > 1 ? components.dropLast().joined(separator: "/") : "."
    let directoryPath = directory.isEmpty ? "/" : directory
    var template = Array("\(directoryPath)/.\(baseName).tmp-XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.map { mkstemp($0) } ?? -1
    }
    guard descriptor >= 0 else { throw .cannotCreateOutput(path: path, reason: systemError()) }
    let tempPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

    func fail(_ reason: String, closing: Bool) -> ExperimentError {
        if closing { close(descriptor) }
        unlink(tempPath)
        return .cannotCreateOutput(path: path, reason: reason)
    }

    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { raw in
            write(descriptor, raw.baseAddress.map { $0 + offset }, bytes.count - offset)
        }
        if written < 0 {
            if errno == EINTR { continue }
            throw fail(systemError(), closing: true)
        }
        offset += written
    }
    guard fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0 else { throw fail(systemError(), closing: true) }
    guard close(descriptor) == 0 else { throw fail(systemError(), closing: false) }

    if overwrite {
        guard rename(tempPath, path) == 0 else { throw fail(systemError(), closing: false) }
    } else if link(tempPath, path) == 0 {
        unlink(tempPath)
    } else if errno == EEXIST {
        unlink(tempPath)
        throw .outputExists(path: path)
    } else {
        // File systems without hard links: check, then rename (not atomic against a racing writer).
        guard access(path, F_OK) != 0 else {
            unlink(tempPath)
            throw .outputExists(path: path)
        }
        guard rename(tempPath, path) == 0 else { throw fail(systemError(), closing: false) }
    }
    let directoryDescriptor = open(directoryPath, O_RDONLY)
    if directoryDescriptor >= 0 {
        _ = fsync(directoryDescriptor)  // best effort: some file systems refuse fsync on directories
        close(directoryDescriptor)
    }
}

/// `strerror(errno)`.
func systemError() -> String {
    String(cString: strerror(errno))
}
