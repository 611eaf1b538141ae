import JLFiles

/// Writes `bytes` to `path` atomically through `JLFiles.AtomicFile`: readers see the old file
/// or the complete new one, never a partial one, and no temporary file is left behind on failure.
/// Without `overwrite` an existing file is refused at the moment of writing (hard link).
/// - Complexity: O(bytes.count) plus the syscalls of AtomicFile.
func writeFileAtomically(_ bytes: [UInt8], to path: String, overwrite: Bool) throws(ExperimentError) {
    do {
        try AtomicFile.write(bytes, to: path, overwrite: overwrite ? .replace : .refuseExisting)
    } catch .alreadyExists {
        throw .outputExists(path: path)
    } catch {
        throw .outputFile(error)
    }
}
