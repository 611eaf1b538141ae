import Foundation
import Testing
@testable import JLNumpy

/// Reads a committed fixture from the test bundle (Tests/JLNumpyTests/Fixtures).
func fixtureBytes(_ name: String) throws -> [UInt8] {
    let base = try #require(Bundle.module.resourceURL, "test bundle has no resources")
    let url = base.appendingPathComponent("Fixtures").appendingPathComponent(name)
    return [UInt8](try Data(contentsOf: url))
}

func fixture(_ name: String) throws -> NpyArray {
    try NpyArray(npyBytes: fixtureBytes(name))
}

/// The npy bytes for a header text, laid out like NumPy (spaces + "\n" to a 64-byte boundary).
func npyFile(header: String, data: [UInt8] = [], major: UInt8 = 1) -> [UInt8] {
    let text = Array(header.utf8)
    let preamble = major == 1 ? 10 : 12
    let padding = (64 - (preamble + text.count + 1) % 64) % 64
    let length = text.count + 1 + padding
    var bytes = NpyHeader.magic + [major, 0]
    for index in 0..<(preamble - 8) { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * index))) }
    return bytes + text + Array(repeating: UInt8(ascii: " "), count: padding) + [UInt8(ascii: "\n")] + data
}

/// `header` around a 2×3 `<f4` data block of zeros.
func f4File(header: String) -> [UInt8] {
    npyFile(header: header, data: Array(repeating: 0, count: 24))
}

/// Package root, from this file's location (Tests/JLNumpyTests/Support.swift).
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The real MiniLM keys file, if the shared data directory sits beside the package
/// (`../shared` in CI, `../../shared` for a git worktree under /work/wt).
let minilmKeysPath: String? = {
    for relative in ["../shared/data/minilm/keys_layer0.npy", "../../shared/data/minilm/keys_layer0.npy"] {
        let path = packageRoot.appendingPathComponent(relative).standardizedFileURL.path
        if FileManager.default.isReadableFile(atPath: path) { return path }
    }
    return nil
}()

/// Fresh temporary directory for file tests.
func temporaryDirectory() throws -> String {
    var template = Array((FileManager.default.temporaryDirectory.path + "/jlnumpy-test-XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress.flatMap { mkdtemp($0) } != nil
    }
    try #require(made)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
