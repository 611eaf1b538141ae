// Loading a 64 MiB 2-D float32 (<f4) .npy: NpyArray(npyBytes:) from bytes already in memory
// and NpyArray(contentsOfFile:) from a file (in the page cache after the warm-up), next to a plain
// memcpy of the data into a preallocated, already-touched buffer and a plain read(2) of the file
// into one (and, for reading the gap, a memcpy into a fresh allocation). The items of one
// iteration are the array's data bytes (rows·columns·4; the 128-byte header is not counted). The fixture file lives in a fresh mktemp-style directory
// (mkdtemp under $TMPDIR or /tmp), removed in teardown.
import Benchmark
import JLNumpy
import JLRandom

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let npyRows = 131_072
let npyColumns = 128
let npyDataBytes = npyRows * npyColumns * MemoryLayout<Float>.size

enum NpyBenchmarkError: Error, CustomStringConvertible {
    case temporaryDirectory(Int32)
    case readFailed(path: String, errno: Int32)
    case shortRead(path: String, expected: Int, actual: Int)

    var description: String {
        switch self {
        case .temporaryDirectory(let code):
            "mkdtemp failed (errno \(code)): set TMPDIR to a writable directory"
        case .readFailed(let path, let code):
            "reading \(path) failed (errno \(code))"
        case .shortRead(let path, let expected, let actual):
            "\(path) ended after \(actual) of \(expected) bytes: was the fixture changed during the run?"
        }
    }
}

/// The .npy bytes, the fixture file holding the same bytes, and a preallocated destination.
/// Created in a benchmark's setup, removed in its teardown.
final class NpyFixture {
    private(set) var bytes: [UInt8] = []
    private(set) var directory: String?
    private(set) var path: String?
    /// Preallocated and touched (zero-filled) destination of the baselines.
    private(set) var destination = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    func create(writingFile: Bool) throws {
        let stream = RandomStream(seed: 3).child("npy benchmark")
        let array = try NpyArray(shape: [npyRows, npyColumns],
                                 values: stream.gaussians(npyRows * npyColumns, as: Float.self))
        bytes = array.npyBytes()
        destination = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        destination.initializeMemory(as: UInt8.self, repeating: 0)
        guard writingFile else { return }
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/jlsketch-bench-npy-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let start = buffer.baseAddress, mkdtemp(start) != nil else { return nil }
            return String(cString: start)
        }
        guard let created else { throw NpyBenchmarkError.temporaryDirectory(errno) }
        directory = created
        let file = "\(created)/keys.npy"
        try array.write(toFile: file)
        path = file
    }

    func remove() {
        if let path { unlink(path) }
        if let directory { rmdir(directory) }
        path = nil
        directory = nil
        destination.deallocate()
        destination = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        bytes = []
    }

    /// read(2) of the whole file into `destination` (the baseline of the file benchmark).
    func readFileIntoDestination() throws -> Int {
        guard let path, let base = destination.baseAddress else { return 0 }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw NpyBenchmarkError.readFailed(path: path, errno: errno) }
        defer { close(descriptor) }
        var total = 0
        while total < destination.count {
            let got = read(descriptor, base + total, destination.count - total)
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw NpyBenchmarkError.readFailed(path: path, errno: errno) }
            if got == 0 { break }
            total += got
        }
        guard total == destination.count else {
            throw NpyBenchmarkError.shortRead(path: path, expected: destination.count, actual: total)
        }
        return total
    }
}

func npyBenchmarks() {
    let shape = "rows=\(npyRows) columns=\(npyColumns) float32"
    let per = "(\(npyDataBytes) per iteration)"
    let config = configuration(maxSeconds: 2)

    let inMemory = NpyFixture()
    Benchmark("Npy NpyArray(npyBytes:) \(shape) \(per)", configuration: config,
              closure: { benchmark in
                  var array: NpyArray?
                  try measured(benchmark) { array = try NpyArray(npyBytes: inMemory.bytes) }
                  blackHole(array)
              },
              setup: { try inMemory.create(writingFile: false) },
              teardown: { inMemory.remove() })

    let memcpyFixture = NpyFixture()
    Benchmark("Npy bare memcpy into preallocated buffer \(shape) \(per)", configuration: config,
              closure: { benchmark in
                  memcpyFixture.bytes.withUnsafeBytes { source in
                      guard let from = source.baseAddress, let to = memcpyFixture.destination.baseAddress else { return }
                      measured(benchmark) { memcpy(to, from, source.count) }
                  }
                  blackHole(memcpyFixture.destination[npyDataBytes / 2])
              },
              setup: { try memcpyFixture.create(writingFile: false) },
              teardown: { memcpyFixture.remove() })

    // Not a pairing baseline: the same copy into a fresh allocation (what a parse that returns a
    // new array pays on top of the copy: page faults of the new 64 MiB), for reading the gap.
    let freshFixture = NpyFixture()
    Benchmark("Npy bare allocate+memcpy into a fresh buffer \(shape) \(per)", configuration: config,
              closure: { benchmark in
                  var copy: [UInt8] = []
                  measured(benchmark) {
                      copy = [UInt8](unsafeUninitializedCapacity: freshFixture.bytes.count) { buffer, initialized in
                          freshFixture.bytes.withUnsafeBytes { source in
                              guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
                              memcpy(to, from, source.count)
                              initialized = source.count
                          }
                      }
                  }
                  blackHole(copy)
              },
              setup: { try freshFixture.create(writingFile: false) },
              teardown: { freshFixture.remove() })

    let fromFile = NpyFixture()
    Benchmark("Npy NpyArray(contentsOfFile:) \(shape) \(per)", configuration: config,
              closure: { benchmark in
                  var array: NpyArray?
                  try measured(benchmark) { array = try NpyArray(contentsOfFile: fromFile.path ?? "") }
                  blackHole(array)
              },
              setup: { try fromFile.create(writingFile: true) },
              teardown: { fromFile.remove() })

    let readFixture = NpyFixture()
    Benchmark("Npy bare read(2) into preallocated buffer \(shape) \(per)", configuration: config,
              closure: { benchmark in
                  var total = 0
                  try measured(benchmark) { total = try readFixture.readFileIntoDestination() }
                  blackHole(total)
              },
              setup: { try readFixture.create(writingFile: true) },
              teardown: { readFixture.remove() })
}
