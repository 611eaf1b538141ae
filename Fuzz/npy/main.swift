// libFuzzer target: the .npy parser must turn every byte string into an NpyArray or an NpyError.
// Built by Scripts/fuzz (swiftc -sanitize=fuzzer,address -parse-as-library); compiled in one
// module with Sources/JLNumpy and Sources/JLFiles, so no `import` of those is needed.

/// One fuzz input: parse, and when it parses, check the invariants the parser promises.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    // The header parser alone (it is also the first step of init(npyBytes:)).
    if let header = try? NpyHeader(parsing: bytes) {
        checkInvariant(header.dataOffset <= bytes.count, "dataOffset beyond the input")
        checkInvariant(header.elementCount >= 0, "negative element count")
    }
    do {
        let array = try NpyArray(npyBytes: bytes)
        // Accepted: the element count, the bytes and a re-encode must be consistent.
        checkInvariant(array.rawBytes.count == array.count * array.dtype.itemSize, "byte count")
        let product = array.shape.reduce(1, *)
        checkInvariant(product == array.count, "shape product differs from count")
        _ = array.doubles()
        _ = array.floats()
        // Re-encoding what was read and reading it back gives the same array.
        let reencoded = array.npyBytes()
        checkInvariant(reencoded.count % 64 == array.rawBytes.count % 64, "header not 64-aligned")
        let reread = try NpyArray(npyBytes: reencoded)
        checkInvariant(reread == array, "round trip changed the array")
    } catch {
        // A typed NpyError is the contract for bad input; its message must be one line
        // (Character.isNewline: LF, CR, CRLF, VT, FF, NEL, U+2028, U+2029).
        checkInvariant(!error.description.contains(where: \.isNewline), "multi-line error message")
    }
    return 0
}

/// Traps (so libFuzzer records a crash) when a promised invariant does not hold.
/// (fatalError is right here: this is the harness, and a trap is how it reports a finding.)
func checkInvariant(_ condition: @autoclosure () -> Bool, _ message: StaticString) {
    if !condition() { fatalError("invariant violated: \(message)") }
}
