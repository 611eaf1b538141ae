// swift-tools-version:6.1
// JLSketch: Johnson–Lindenstrauss sketches and the QJL 1-bit quantized JL transform
// (Zandieh, Daliri, Han, arXiv 2406.03482). Swift 6 language mode throughout.
import PackageDescription

/// Library modules, bottom to top. Each has one job; see docs/architecture in README.
let libraries: [(name: String, dependencies: [Target.Dependency])] = [
    ("JLRandom", ["CJLKernels", .product(name: "RealModule", package: "swift-numerics")]),
    ("JLLinearAlgebra", ["CBLASLAPACKE", "CFFTW3", "CJLKernels", .product(name: "RealModule", package: "swift-numerics")]),
    ("JLStatistics", [.product(name: "RealModule", package: "swift-numerics")]),
    ("JLTheory", ["JLStatistics"]),
    ("JLFiles", []),
    ("JLNumpy", ["JLFiles"]),
    ("JLPlot", ["JLFiles"]),
    ("JLTransforms", ["JLRandom", "JLLinearAlgebra"]),
    ("QJL", ["JLRandom", "JLLinearAlgebra", "JLTransforms", "JLTheory", "CQJLKernels"]),
    ("JLKVCache", ["QJL", "JLRandom", "JLLinearAlgebra", "JLTransforms", "CKVCacheKernels"]),
    ("JLTurboQuant", ["QJL", "JLRandom", "JLLinearAlgebra", "JLTransforms", "JLStatistics"]),
    ("JLExperimentKit", [
        "JLRandom", "JLLinearAlgebra", "JLStatistics", "JLFiles", "JLPlot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    ("JLExperiments", [
        "JLExperimentKit", "JLRandom", "JLLinearAlgebra", "JLTransforms", "JLStatistics", "JLTheory",
        "QJL", "JLKVCache", "JLTurboQuant", "JLNumpy", "JLPlot", "JLFiles",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    ("JLNotebook", [
        "JLFiles", "JLPlot",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
]

/// What every experiment executable links: the experiment definitions and the harness.
let experimentDependencies: [Target.Dependency] = [
    "JLExperiments", "JLExperimentKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

/// What every notebook links.
let notebookDependencies: [Target.Dependency] = [
    "JLNotebook", "JLRandom", "JLLinearAlgebra", "JLTransforms", "JLStatistics", "JLTheory", "QJL",
    "JLKVCache", "JLTurboQuant", "JLNumpy", "JLPlot",
]

/// Teaching notebooks under Notebooks-as-scripts/<name>/main.swift.
let notebooks = [
    "nb-01-jl-lemma", "nb-02-sign-projections", "nb-03-asymmetric-estimator",
    "nb-04-lemma-and-theorem", "nb-05-kv-cache", "nb-06-structured-transforms",
]

/// Executables under Experiments/<name>/main.swift.
let experiments: [(name: String, dependencies: [Target.Dependency])] = [
    ("jlsketch-smoke", ["JLRandom", "JLLinearAlgebra", "JLTransforms"]),
    ("exp-distortion", experimentDependencies),
    ("exp-unbiasedness", experimentDependencies),
    ("exp-seed-variance", experimentDependencies),
    ("exp-merge", experimentDependencies),
    ("exp-transforms", experimentDependencies),
    ("exp-bits", experimentDependencies),
    ("exp-runtime", experimentDependencies),
    ("qjl-score-bench", ["JLRandom", "JLLinearAlgebra", "JLTransforms", "QJL"]),
]

var targets: [Target] = [
    .systemLibrary(
        name: "CBLASLAPACKE", pkgConfig: "openblas",
        providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
    .systemLibrary(
        name: "CFFTW3", pkgConfig: "fftw3",
        providers: [.apt(["libfftw3-dev"])]),
    // QJL's scoring kernels (AVX-512 with runtime dispatch, portable fallback).
    .target(name: "CQJLKernels"),
    // Attention decoding over group-quantized values (AVX-512, runtime dispatch; the Swift
    // path is the fallback and the bit-for-bit reference).
    .target(name: "CKVCacheKernels"),
    // AVX2 kernels (FWHT, Philox + Box–Muller) with runtime dispatch; bit-identical to the
    // Swift paths they replace (Sources/CJLKernels/include/CJLKernels.h).
    .target(name: "CJLKernels"),
]

/// Extra dependencies of a test target beyond its library's (JLKVCacheTests reads real keys with JLNumpy).
let extraTestDependencies: [String: [Target.Dependency]] = ["JLKVCacheTests": ["JLNumpy"]]

/// Test targets that carry committed fixtures (Tests/<name>/Fixtures).
let testsWithFixtures: Set<String> = ["JLNumpyTests"]

for library in libraries {
    targets.append(.target(name: library.name, dependencies: library.dependencies))
    targets.append(.testTarget(
        name: "\(library.name)Tests",
        dependencies: [.byName(name: library.name)] + library.dependencies
            + (extraTestDependencies["\(library.name)Tests"] ?? []),
        resources: testsWithFixtures.contains("\(library.name)Tests") ? [.copy("Fixtures")] : nil))
}
for experiment in experiments {
    targets.append(.executableTarget(
        name: experiment.name, dependencies: experiment.dependencies,
        path: "Experiments/\(experiment.name)"))
}

for notebook in notebooks {
    targets.append(.executableTarget(
        name: notebook, dependencies: notebookDependencies, path: "Notebooks-as-scripts/\(notebook)"))
}

let package = Package(
    name: "JLSketch",
    platforms: [.macOS(.v15)],
    products: libraries.map { .library(name: $0.name, targets: [$0.name]) }
        + experiments.map { .executable(name: $0.name, targets: [$0.name]) }
        + notebooks.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
