import Foundation
import Testing
@testable import JLFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh, empty scratch directory per test, removed afterwards.
struct ScratchDirectory: ~Copyable {
    let path: String

    init() throws {
        let template = FileManager.default.temporaryDirectory.path + "/jlfiles-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        try #require(made)
        path = String(decoding: bytes.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Names in the directory, hidden ones (temporary files) included.
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func file(_ name: String) -> String { path + "/" + name }
}

private let runningAsRoot = geteuid() == 0

@Suite("AtomicFile writes")
struct AtomicFileWriteTests {
    @Test("write creates the file with exactly the bytes, and no temporary remains")
    func writeNew() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("a.bin")
        let bytes: [UInt8] = [0, 1, 2, 255, 10, 13]
        try AtomicFile.write(bytes, to: target, overwrite: .refuseExisting)
        #expect(try FileReader.readBytes(atPath: target) == bytes)
        #expect(try scratch.entries() == ["a.bin"])
    }

    @Test("empty contents produce an empty file")
    func writeEmpty() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("empty")
        try AtomicFile.write([UInt8](), to: target, overwrite: .replace)
        #expect(try FileReader.readBytes(atPath: target) == [])
    }

    @Test(".replace replaces the old contents and keeps the old permission bits")
    func replace() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("r.txt")
        try AtomicFile.write(Array("old contents, longer".utf8), to: target, overwrite: .replace)
        #expect(chmod(target, 0o640) == 0)
        try AtomicFile.write(Array("new".utf8), to: target, overwrite: .replace)
        #expect(try FileReader.readBytes(atPath: target) == Array("new".utf8))
        var info = stat()
        #expect(stat(target, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(try scratch.entries() == ["r.txt"])
    }

    @Test(".refuseExisting throws alreadyExists and leaves the old file untouched")
    func refuse() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("keep")
        try AtomicFile.write([1, 2, 3], to: target, overwrite: .refuseExisting)
        #expect(throws: FileError.alreadyExists(path: target)) {
            try AtomicFile.write([9, 9], to: target, overwrite: .refuseExisting)
        }
        #expect(try FileReader.readBytes(atPath: target) == [1, 2, 3])
        #expect(try scratch.entries() == ["keep"])
    }

    @Test("Data and non-contiguous collections are written byte for byte")
    func otherCollections() throws {
        let scratch = try ScratchDirectory()
        let data = Data([7, 8, 9, 0])
        try AtomicFile.write(data, to: scratch.file("d"), overwrite: .replace)
        #expect(try FileReader.readBytes(atPath: scratch.file("d")) == [7, 8, 9, 0])
        // Repeated<UInt8> has no contiguous storage: exercises the copying path.
        try AtomicFile.write(repeatElement(UInt8(42), count: 5), to: scratch.file("r"), overwrite: .replace)
        #expect(try FileReader.readBytes(atPath: scratch.file("r")) == [42, 42, 42, 42, 42])
    }

    @Test("path splitting: directory and file name parts")
    func pathSplitting() {
        #expect(FilePath.directory(of: "rel.bin") == ".")
        #expect(FilePath.directory(of: "/rel.bin") == "/")
        #expect(FilePath.directory(of: "a//b/c") == "a//b")
        #expect(FilePath.directory(of: "a//c") == "a")
        #expect(FilePath.fileName(of: "a/b/c.npy") == "c.npy")
        #expect(FilePath.fileName(of: "c.npy") == "c.npy")
        #expect(FilePath.fileName(of: "a/") == "")
    }

    @Test("a missing directory throws directoryMissing and creates nothing")
    func missingDirectory() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("nope/a.bin")
        #expect(throws: FileError.directoryMissing(path: target)) {
            try AtomicFile.write([1], to: target, overwrite: .replace)
        }
        #expect(try scratch.entries() == [])
    }

    @Test("a parent that is a regular file throws parentNotDirectory")
    func parentIsFile() throws {
        let scratch = try ScratchDirectory()
        try AtomicFile.write([1], to: scratch.file("plain"), overwrite: .replace)
        let target = scratch.file("plain/a.bin")
        #expect(throws: FileError.parentNotDirectory(path: target)) {
            try AtomicFile.write([1], to: target, overwrite: .replace)
        }
        let deeper = scratch.file("plain/sub/a.bin")
        #expect(throws: FileError.parentNotDirectory(path: deeper)) {
            try AtomicFile.write([1], to: deeper, overwrite: .replace)
        }
        #expect(try scratch.entries() == ["plain"])
    }

    @Test("a target that is a directory throws isDirectory; empty and slash-terminated paths are invalid")
    func targetIsDirectory() throws {
        let scratch = try ScratchDirectory()
        #expect(mkdir(scratch.file("sub"), 0o755) == 0)
        #expect(throws: FileError.isDirectory(path: scratch.file("sub"))) {
            try AtomicFile.write([1], to: scratch.file("sub"), overwrite: .replace)
        }
        #expect(throws: FileError.invalidPath(path: "")) {
            try AtomicFile.write([1], to: "", overwrite: .replace)
        }
        #expect(throws: FileError.invalidPath(path: scratch.file("x/"))) {
            try AtomicFile.write([1], to: scratch.file("x/"), overwrite: .replace)
        }
        #expect(throws: FileError.notRegularFile(path: "/dev/null")) {
            try AtomicFile.write([1], to: "/dev/null", overwrite: .replace)
        }
    }

    /// Permission bits do not stop root (tests run as root in CI), so the 0o555 case checks the
    /// real behaviour of whoever runs it: refused for a normal user, allowed for root.
    @Test("a read-only (0o555) directory: notWritable for normal users, writable for root")
    func readOnlyDirectory() throws {
        let scratch = try ScratchDirectory()
        let locked = scratch.file("locked")
        #expect(mkdir(locked, 0o555) == 0)
        defer { chmod(locked, 0o755) }
        let target = locked + "/a.bin"
        if runningAsRoot {
            try AtomicFile.checkWritable(path: target, overwrite: .replace)
            try AtomicFile.write([1], to: target, overwrite: .replace)
            #expect(try FileReader.readBytes(atPath: target) == [1])
        } else {
            #expect(throws: FileError.notWritable(path: target)) {
                try AtomicFile.checkWritable(path: target, overwrite: .replace)
            }
            #expect(throws: FileError.notWritable(path: target)) {
                try AtomicFile.write([1], to: target, overwrite: .replace)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: locked) == (runningAsRoot ? ["a.bin"] : []))
    }

    @Test("a failing rename (target turned into a directory after validation) removes the temporary")
    func failureAfterTemporaryCleansUp() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("t")
        let validated = try AtomicFile.validateTarget(target, overwrite: .replace)
        // Race: a non-empty directory appears at the target between validation and commit.
        #expect(mkdir(target, 0o755) == 0)
        try AtomicFile.write([0], to: target + "/inner", overwrite: .replace)
        let bytes: [UInt8] = [1, 2, 3]
        #expect(throws: FileError.isDirectory(path: target)) {
            try bytes.withUnsafeBytes { buffer in
                try AtomicFile.writeContiguous(buffer, target: validated, overwrite: .replace)
            }
        }
        #expect(try scratch.entries() == ["t"])
    }

    @Test(".refuseExisting loses no race: a file appearing after validation is kept, temporary removed")
    func refuseRace() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("late")
        let validated = try AtomicFile.validateTarget(target, overwrite: .refuseExisting)
        try AtomicFile.write([4, 4], to: target, overwrite: .replace)
        let bytes: [UInt8] = [1, 2, 3]
        #expect(throws: FileError.alreadyExists(path: target)) {
            try bytes.withUnsafeBytes { buffer in
                try AtomicFile.writeContiguous(buffer, target: validated, overwrite: .refuseExisting)
            }
        }
        #expect(try FileReader.readBytes(atPath: target) == [4, 4])
        #expect(try scratch.entries() == ["late"])
    }

    @Test("concurrent writers to one target: the result is one complete write, no temporaries left")
    func concurrentWriters() async throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("shared.bin")
        let writers = 8
        let payloads: [[UInt8]] = (0..<writers).map { writer in
            [UInt8](repeating: UInt8(writer), count: 4096 + writer)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for payload in payloads {
                group.addTask { try AtomicFile.write(payload, to: target, overwrite: .replace) }
            }
            try await group.waitForAll()
        }
        let result = try FileReader.readBytes(atPath: target)
        #expect(payloads.contains(result))
        #expect(try scratch.entries() == ["shared.bin"])
    }

    @Test("long file names still get a temporary name under NAME_MAX")
    func longName() throws {
        let scratch = try ScratchDirectory()
        let name = String(repeating: "é", count: 120)  // 240 UTF-8 bytes
        try AtomicFile.write([1], to: scratch.file(name), overwrite: .replace)
        #expect(try scratch.entries() == [name])
    }
}

@Suite("AtomicFile.checkWritable")
struct CheckWritableTests {
    @Test("a writable new path passes and leaves nothing behind")
    func passes() throws {
        let scratch = try ScratchDirectory()
        try AtomicFile.checkWritable(path: scratch.file("out.npy"), overwrite: .refuseExisting)
        #expect(try scratch.entries() == [])
    }

    @Test("each failure mode is reported before any write")
    func failures() throws {
        let scratch = try ScratchDirectory()
        try AtomicFile.write([1], to: scratch.file("exists"), overwrite: .replace)
        #expect(throws: FileError.alreadyExists(path: scratch.file("exists"))) {
            try AtomicFile.checkWritable(path: scratch.file("exists"), overwrite: .refuseExisting)
        }
        try AtomicFile.checkWritable(path: scratch.file("exists"), overwrite: .replace)
        #expect(throws: FileError.directoryMissing(path: scratch.file("no/such"))) {
            try AtomicFile.checkWritable(path: scratch.file("no/such"), overwrite: .replace)
        }
        #expect(throws: FileError.parentNotDirectory(path: scratch.file("exists/x"))) {
            try AtomicFile.checkWritable(path: scratch.file("exists/x"), overwrite: .replace)
        }
        #expect(throws: FileError.isDirectory(path: scratch.path)) {
            try AtomicFile.checkWritable(path: scratch.path, overwrite: .replace)
        }
        #expect(try scratch.entries() == ["exists"])
    }
}

@Suite("FileReader")
struct FileReaderTests {
    @Test("reads a multi-chunk file exactly (larger than the 1 MiB read chunk)")
    func readsLarge() throws {
        let scratch = try ScratchDirectory()
        let count = (5 << 19) + 17  // 2.5 MiB + 17: three chunks, last one partial
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try AtomicFile.write(bytes, to: scratch.file("big"), overwrite: .replace)
        #expect(try FileReader.readBytes(atPath: scratch.file("big")) == bytes)
    }

    #if os(Linux)
    /// /proc files are regular files whose fstat size is 0 although they have contents: the
    /// bytes past the reported size come from the read-until-end-of-file loop.
    @Test("a regular file that reports size 0 but has contents (/proc/self/status) is read whole")
    func readsPastReportedSize() throws {
        let bytes = try FileReader.readBytes(atPath: "/proc/self/status")
        #expect(bytes.count > 100)
        #expect(String(decoding: bytes.prefix(5), as: UTF8.self) == "Name:")
    }
    #endif

    @Test("typed errors: notFound, isDirectory, parentNotDirectory, notRegularFile, invalidPath")
    func errors() throws {
        let scratch = try ScratchDirectory()
        #expect(throws: FileError.notFound(path: scratch.file("missing"))) {
            try FileReader.readBytes(atPath: scratch.file("missing"))
        }
        #expect(throws: FileError.isDirectory(path: scratch.path)) {
            try FileReader.readBytes(atPath: scratch.path)
        }
        try AtomicFile.write([1], to: scratch.file("f"), overwrite: .replace)
        #expect(throws: FileError.parentNotDirectory(path: scratch.file("f/g"))) {
            try FileReader.readBytes(atPath: scratch.file("f/g"))
        }
        #expect(throws: FileError.notRegularFile(path: "/dev/null")) {
            try FileReader.readBytes(atPath: "/dev/null")
        }
        #expect(throws: FileError.invalidPath(path: "")) {
            try FileReader.readBytes(atPath: "")
        }
    }

    @Test("an unreadable (0o000) file: notReadable for normal users; root reads it")
    func unreadable() throws {
        let scratch = try ScratchDirectory()
        let target = scratch.file("secret")
        try AtomicFile.write([3], to: target, overwrite: .replace)
        #expect(chmod(target, 0o000) == 0)
        if runningAsRoot {
            #expect(try FileReader.readBytes(atPath: target) == [3])
        } else {
            #expect(throws: FileError.notReadable(path: target)) {
                try FileReader.readBytes(atPath: target)
            }
        }
    }
}

@Suite("FileError messages")
struct FileErrorMessageTests {
    static let all: [FileError] = [
        .directoryMissing(path: "out/a.npy"), .parentNotDirectory(path: "f/a"),
        .notWritable(path: "/ro/a"), .alreadyExists(path: "a"), .isDirectory(path: "d"),
        .notRegularFile(path: "/dev/null"), .notFound(path: "x"), .notReadable(path: "y"),
        .invalidPath(path: "out/"), .ioFailure(path: "z", message: "No space left on device"),
    ]

    @Test("one line, naming the path", arguments: all)
    func oneLine(error: FileError) {
        #expect(!error.description.contains("\n"))
        switch error {
        case .directoryMissing(let path), .parentNotDirectory(let path), .notWritable(let path),
             .alreadyExists(let path), .isDirectory(let path), .notRegularFile(let path),
             .notFound(let path), .notReadable(let path), .invalidPath(let path),
             .ioFailure(let path, _):
            #expect(error.description.contains(path))
        }
    }

    @Test("directoryMissing names the missing directory")
    func namesDirectory() {
        #expect(FileError.directoryMissing(path: "out/run1/a.npy").description.contains("'out/run1'"))
    }
}
