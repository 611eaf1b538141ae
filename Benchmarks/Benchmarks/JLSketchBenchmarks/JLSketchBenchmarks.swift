// Speed figures for JLSketch (docs/performance.md), each next to a baseline measured in the
// same run:
//   Normals    JLRandom Gaussian fill                  vs numpy PCG64 (Scripts/bench-numpy-normals.py)
//   FWHT       WalshHadamard in place                  vs the C AVX2 reference (Benchmarks/reference-c)
//   Sketch     GaussianJL.apply(batch:) and QJL's SignSketchBatch(keys:transform:) (sketch,
//              sign, pack, Float16 norms)              vs the bare sgemm X·Sᵀ of the same shape
//   Transform  every JLTransforms transform, apply(x) of one vector and apply(batch:)
//              (TransformBenchmarks.swift)             vs bare sgemv S·x / sgemm X·Sᵀ with a dense S
//   Scoring    QJLScoring.scores, one thread, each ScoringPath (ScoringBenchmarks.swift)
//                                                      vs fp32 sgemv K·q over the uncompressed keys
//   Decode     StreamingKVCache.attend(query:), QJL and KIVI caches (DecodeBenchmarks.swift)
//                                                      vs exact fp32 attention (sgemv, softmax, sgemv)
//   Npy        NpyArray(npyBytes:) / NpyArray(contentsOfFile:) (NpyBenchmarks.swift)
//                                                      vs memcpy / read(2) into a preallocated buffer
//
// Every benchmark name ends in "(N per iteration)": the number of work items (normals,
// transforms, vectors, keys, decodes, data bytes) one measured iteration processes.
// Benchmarks/report.py divides that by the median iteration time to get items per second and
// pairs each benchmark with its baseline. Besides ordo-one's wall clock, each iteration records
// the process CPU time of the measured region as the custom metric "cpuNanos" (ordo-one's own
// CPU metrics count scheduler ticks of 10 ms, too coarse for these iterations); on a machine
// shared with other work the CPU-time rate is the steadier figure. Large inputs are built in
// each benchmark's setup closure (ordo-one runs every benchmark in its own process), and a
// measured call that throws fails the benchmark instead of timing nothing.
//
// Run: ./run from this package's folder (see docs/performance.md).
import Benchmark
import JLLinearAlgebra
import JLRandom
import JLTransforms
import QJL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process CPU time in nanoseconds (all threads, so OpenBLAS workers count too).
@inline(__always)
func processCPUNanoseconds() -> Int {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return t.tv_sec * 1_000_000_000 + t.tv_nsec
}

/// The OpenBLAS thread count this run was started with (`OPENBLAS_NUM_THREADS`), for names.
func openBLASThreadsLabel() -> String {
    guard let raw = getenv("OPENBLAS_NUM_THREADS") else { return "default" }
    return String(cString: raw)
}

let cpuNanos = BenchmarkMetric.custom("cpuNanos", polarity: .prefersSmaller, useScalingFactor: false)

/// Runs `work` as the measured region and records its process CPU time as `cpuNanos`. If `work`
/// throws, nothing is recorded and the error fails the benchmark.
@inline(__always)
func measured(_ benchmark: Benchmark, _ work: () throws -> Void) rethrows {
    benchmark.startMeasurement()
    let start = processCPUNanoseconds()
    try work()
    let stop = processCPUNanoseconds()
    benchmark.stopMeasurement()
    benchmark.measurement(cpuNanos, stop - start)
}

func configuration(maxSeconds: Int64 = 2) -> Benchmark.Configuration {
    .init(
        metrics: [.throughput, .wallClock, cpuNanos],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(maxSeconds),
        maxIterations: 1_000)
}

// MARK: - Gaussian normals

func normalsBenchmark<Scalar: BinaryFloatingPoint>(_ type: Scalar.Type, name: String) {
    let count = 1 << 20
    Benchmark("Normals \(name) fillGaussian (\(count) per iteration)", configuration: configuration()) { benchmark in
        let buffer = UnsafeMutableBufferPointer<Scalar>.allocate(capacity: count)
        buffer.initialize(repeating: 0)
        defer { buffer.deallocate() }
        let stream = RandomStream(seed: 42).child("benchmark")
        measured(benchmark) { stream.fillGaussian(buffer, startingAt: 0) }
        blackHole(buffer[count - 1])
    }
}

// MARK: - FWHT

func fwhtBenchmark<Scalar: LinearAlgebraScalar>(_ type: Scalar.Type, name: String, dimension: Int) {
    // About 2^23 butterfly inputs per iteration: a few milliseconds at C speed.
    let transforms = (1 << 23) / dimension
    Benchmark("FWHT \(name) d=\(dimension) (\(transforms) per iteration)", configuration: configuration()) { benchmark in
        // The same buffer is transformed over and over, as in Benchmarks/reference-c: the
        // values grow by about √d per transform and reach inf/NaN, which x86 adds at full
        // speed (only subnormals are slow), the same for both. The buffer is 64-byte aligned
        // like the C reference's (`aligned_alloc(64, …)`); a Swift Array is only 16-byte
        // aligned, which costs both kernels about 25% at d = 4096 Double (32 KiB, the L1 size).
        let buffer = UnsafeMutableBufferPointer<Scalar>(
            start: UnsafeMutableRawPointer.allocate(byteCount: dimension * MemoryLayout<Scalar>.stride, alignment: 64)
                .bindMemory(to: Scalar.self, capacity: dimension),
            count: dimension)
        defer { buffer.deallocate() }
        for i in 0..<dimension { buffer[i] = Scalar(i % 7) - 3 }
        measured(benchmark) {
            for _ in 0..<transforms { WalshHadamard.transformUnchecked(buffer) }
        }
        blackHole(buffer[0])
    }
}

// MARK: - Batch sketch vs bare sgemm

/// n keys of dimension d sketched to m: GaussianJL.apply(batch:), and QJL's key quantization
/// SignSketchBatch(keys:transform:normPrecision: .float16) (the same sketch, then sign bits packed
/// 64 to a word and ‖k_i‖ stored as Float16), against the bare gemm `X·Sᵀ` of the same shape
/// (2·n·m·d flops each).
func sketchBenchmarks(keys: Int, inputDimension: Int, sketchDimension: Int) {
    let threads = openBLASThreadsLabel()
    let shape = "n=\(keys) d=\(inputDimension) m=\(sketchDimension) threads=\(threads)"
    let stream = RandomStream(seed: 7).child("keys")
    let keyMatrix: Matrix<Float>
    let transform: GaussianJL<Float>
    do {
        keyMatrix = try Matrix<Float>(
            rows: keys, columns: inputDimension,
            elements: stream.gaussians(keys * inputDimension, as: Float.self))
        transform = try GaussianJL<Float>(
            inputDimension: inputDimension, sketchDimension: sketchDimension, seed: 11)
    } catch {
        print("sketch benchmark setup failed: \(error)")
        return
    }
    let sketchMatrix = transform.sketchMatrix
    Benchmark("Sketch GaussianJL.apply(batch:) Float \(shape) (\(keys) per iteration)",
              configuration: configuration(maxSeconds: 4)) { benchmark in
        var result: Matrix<Float>?
        measured(benchmark) { result = try? transform.apply(batch: keyMatrix) }
        blackHole(result)
    }
    Benchmark("Sketch SignSketchBatch(keys:transform:) GaussianJL Float16-norms \(shape) (\(keys) per iteration)",
              configuration: configuration(maxSeconds: 4)) { benchmark in
        var result: SignSketchBatch?
        try measured(benchmark) {
            result = try SignSketchBatch(keys: keyMatrix, transform: transform, normPrecision: .float16)
        }
        blackHole(result)
    }
    Benchmark("Sketch bare sgemm X·Sᵀ Float \(shape) (\(keys) per iteration)",
              configuration: configuration(maxSeconds: 4)) { benchmark in
        var result: Matrix<Float>?
        measured(benchmark) { result = try? BLAS.multiply(keyMatrix, sketchMatrix, transposeB: true) }
        blackHole(result)
    }
}

let benchmarks: @Sendable () -> Void = {
    normalsBenchmark(Float.self, name: "Float")
    normalsBenchmark(Double.self, name: "Double")
    for dimension in [128, 1024, 4096] {
        fwhtBenchmark(Float.self, name: "Float", dimension: dimension)
        fwhtBenchmark(Double.self, name: "Double", dimension: dimension)
    }
    sketchBenchmarks(keys: 65_536, inputDimension: 128, sketchDimension: 256)
    allTransformBenchmarks()
    scoringBenchmarks()
    decodeBenchmarks()
    npyBenchmarks()
}
