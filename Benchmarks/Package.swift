// swift-tools-version: 6.1
// JLSketch benchmarks: a nested package so the main build and CI stay light.
// Run from this folder: ./run   (see docs/performance.md).
import PackageDescription

let package = Package(
    name: "JLSketchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "JLSketch", path: ".."),
        // Only the MallocInterposer trait: the default set also enables RuntimeInterposer,
        // whose package (swift-runtime-interposer) is not available here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "JLSketchBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "JLRandom", package: "JLSketch"),
                .product(name: "JLLinearAlgebra", package: "JLSketch"),
                .product(name: "JLTransforms", package: "JLSketch"),
                .product(name: "QJL", package: "JLSketch"),
                .product(name: "JLKVCache", package: "JLSketch"),
                .product(name: "JLNumpy", package: "JLSketch"),
            ],
            path: "Benchmarks/JLSketchBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
