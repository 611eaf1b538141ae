// Every transform of JLTransforms applied to one vector at a time and to a batch, next to the
// bare BLAS product with its materialized dense S of the same shape (sgemv S·x for one vector,
// sgemm X·Sᵀ for a batch). See JLSketchBenchmarks.swift for the naming and the cpuNanos metric.
import Benchmark
import JLLinearAlgebra
import JLRandom
import JLTransforms

/// Vectors applied one at a time per iteration (one call is a few microseconds: too short for
/// a timer on its own).
let vectorsPerIteration = 1024
/// Vectors in one `apply(batch:)` call.
let batchVectors = 4096

/// The inputs a transform benchmark needs: the transform, its dense S, `vectorsPerIteration`
/// single vectors and one `batchVectors`×d batch, all N(0, 1) from JLRandom.
struct TransformInputs<Transform: JLTransform> where Transform.Scalar == Float {
    let transform: Transform
    let sketchMatrix: Matrix<Float>
    let vectors: [[Float]]
    let batch: Matrix<Float>

    init(_ transform: Transform) throws {
        let d = transform.inputDimension
        let stream = RandomStream(seed: 5).child("transform benchmark").child(UInt64(d))
        self.transform = transform
        self.sketchMatrix = try transform.materialize()
        let pool = stream.child("vectors").gaussians(vectorsPerIteration * d, as: Float.self)
        self.vectors = (0..<vectorsPerIteration).map { Array(pool[($0 * d)..<(($0 + 1) * d)]) }
        self.batch = try Matrix(rows: batchVectors, columns: d,
                                elements: stream.child("batch").gaussians(batchVectors * d, as: Float.self))
    }
}

/// The shape part of the names: "d=… m=…" for one vector, "n=… d=… m=… threads=…" for a batch
/// (the OpenBLAS thread count only matters to the batch products).
func vectorShape(_ d: Int, _ m: Int) -> String { "d=\(d) m=\(m)" }
func batchShape(_ d: Int, _ m: Int) -> String { "n=\(batchVectors) d=\(d) m=\(m) threads=\(openBLASThreadsLabel())" }

/// `transform.apply(_:)` on `vectorsPerIteration` vectors and `apply(batch:)` on `batchVectors`
/// vectors. `label` names the transform and its variant (no spaces).
func transformBenchmarks<Transform: JLTransform>(
    _ label: String, inputDimension d: Int, sketchDimension m: Int, _ make: @escaping () throws -> Transform
) where Transform.Scalar == Float {
    Benchmark("Transform \(label) apply(x) Float \(vectorShape(d, m)) (\(vectorsPerIteration) per iteration)",
              configuration: configuration(),
              closure: { benchmark, inputs in
                  try measured(benchmark) {
                      for x in inputs.vectors { blackHole(try inputs.transform.apply(x)) }
                  }
              },
              setup: { try TransformInputs(make()) })
    Benchmark("Transform \(label) apply(batch:) Float \(batchShape(d, m)) (\(batchVectors) per iteration)",
              configuration: configuration(),
              closure: { benchmark, inputs in
                  var result: Matrix<Float>?
                  try measured(benchmark) { result = try inputs.transform.apply(batch: inputs.batch) }
                  blackHole(result)
              },
              setup: { try TransformInputs(make()) })
}

/// The baselines of one shape: sgemv S·x on the same vectors, sgemm X·Sᵀ on the same batch, with
/// a Gaussian S (any dense S of that shape costs the same).
func denseProductBaselines(inputDimension d: Int, sketchDimension m: Int) {
    let make = { try GaussianJL<Float>(inputDimension: d, sketchDimension: m, seed: 11) }
    Benchmark("Transform bare sgemv S·x Float \(vectorShape(d, m)) (\(vectorsPerIteration) per iteration)",
              configuration: configuration(),
              closure: { benchmark, inputs in
                  try measured(benchmark) {
                      for x in inputs.vectors { blackHole(try BLAS.multiply(inputs.sketchMatrix, x)) }
                  }
              },
              setup: { try TransformInputs(make()) })
    Benchmark("Transform bare sgemm X·Sᵀ Float \(batchShape(d, m)) (\(batchVectors) per iteration)",
              configuration: configuration(),
              closure: { benchmark, inputs in
                  var result: Matrix<Float>?
                  try measured(benchmark) {
                      result = try BLAS.multiply(inputs.batch, inputs.sketchMatrix, transposeB: true)
                  }
                  blackHole(result)
              },
              setup: { try TransformInputs(make()) })
}

/// d = 128, m = 256 for every transform (SRHT-type transforms stack ⌈m/d⌉ = 2 independent
/// blocks, so m > d is valid), and the DCT-mixed SRHT at d = 96 (not a power of two), m = 256.
func allTransformBenchmarks() {
    let d = 128, m = 256, dctDimension = 96
    transformBenchmarks("GaussianJL", inputDimension: d, sketchDimension: m) {
        try GaussianJL<Float>(inputDimension: d, sketchDimension: m, seed: 11)
    }
    transformBenchmarks("OrthogonalJL", inputDimension: d, sketchDimension: m) {
        try OrthogonalJL<Float>(inputDimension: d, sketchDimension: m, seed: 11)
    }
    transformBenchmarks("SRHT-Hadamard", inputDimension: d, sketchDimension: m) {
        try SRHT<Float>(inputDimension: d, sketchDimension: m, seed: 11, mixing: .hadamard)
    }
    transformBenchmarks("SRHT-DCT", inputDimension: dctDimension, sketchDimension: m) {
        try SRHT<Float>(inputDimension: dctDimension, sketchDimension: m, seed: 11, mixing: .dct)
    }
    transformBenchmarks("GaussianHD-Hadamard", inputDimension: d, sketchDimension: m) {
        try GaussianHD<Float>(inputDimension: d, sketchDimension: m, seed: 11, mixing: .hadamard)
    }
    transformBenchmarks("SparseSignJL-s1", inputDimension: d, sketchDimension: m) {
        try SparseSignJL<Float>(inputDimension: d, sketchDimension: m, seed: 11, nonzerosPerColumn: 1)
    }
    denseProductBaselines(inputDimension: d, sketchDimension: m)
    denseProductBaselines(inputDimension: dctDimension, sketchDimension: m)
}
