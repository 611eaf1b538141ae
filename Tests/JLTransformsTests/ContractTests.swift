import JLLinearAlgebra
import JLRandom
import Testing
@testable import JLTransforms

/// The JLTransform contract, checked for every family, option and precision.
@Suite("JLTransform contract")
struct ContractTests {
    @Test("materialize() equals apply to the unit vectors", arguments: Precision.allCases, allConfigurations)
    func materializeMatchesUnitVectors(precision: Precision, configuration: Configuration) throws {
        switch precision {
        case .float: try checkMaterialize(configuration, Float.self)
        case .double: try checkMaterialize(configuration, Double.self)
        }
    }

    func checkMaterialize<Scalar: LinearAlgebraScalar>(_ configuration: Configuration, _ type: Scalar.Type) throws {
        let transform = try configuration.make(seed: 7, as: Scalar.self)
        let s = try transform.materialize()
        let d = configuration.inputDimension, m = configuration.sketchDimension
        #expect(s.rows == m && s.columns == d)
        // Materialize uses closed forms (cosines, ±1 Hadamard entries); apply uses FWHT/FFTW/BLAS.
        let tolerance = dotTolerance(Scalar.self, d: d, rowNorm: maxRowNorm(s), vectorNorm: 1)
        var worst = 0.0
        for j in 0..<d {
            var unit = [Scalar](repeating: 0, count: d)
            unit[j] = 1
            let column = try transform.apply(unit)
            #expect(column.count == m)
            for i in 0..<m { worst = max(worst, abs(Double(column[i]) - Double(s[i, j]))) }
        }
        #expect(worst <= tolerance, "max |S e_j − S[:, j]| = \(worst) > \(tolerance)")
        #expect(maxRowNorm(s) > 0)
    }

    @Test("apply(batch:) equals apply per vector", arguments: Precision.allCases, allConfigurations)
    func batchMatchesPerVector(precision: Precision, configuration: Configuration) throws {
        switch precision {
        case .float: try checkBatch(configuration, Float.self)
        case .double: try checkBatch(configuration, Double.self)
        }
    }

    func checkBatch<Scalar: LinearAlgebraScalar>(_ configuration: Configuration, _ type: Scalar.Type) throws {
        let transform = try configuration.make(seed: 11, as: Scalar.self)
        let d = configuration.inputDimension, m = configuration.sketchDimension, n = 5
        let vectors = (0..<n).map { testVector(d, index: UInt64($0), as: Scalar.self) }
        let batch = try Matrix(rowVectors: vectors)
        let result = try transform.apply(batch: batch)
        #expect(result.rows == n && result.columns == m)
        let rowNorm = maxRowNorm(try transform.materialize())
        for (i, x) in vectors.enumerated() {
            let single = try transform.apply(x)
            // gemm and gemv may group the sums differently: the dot-product rounding bound applies.
            let tolerance = dotTolerance(Scalar.self, d: d, rowNorm: rowNorm, vectorNorm: squaredNorm(x).squareRoot())
            let worst = (0..<m).map { abs(Double(single[$0]) - Double(result[i, $0])) }.max() ?? 0
            #expect(worst <= tolerance, "row \(i): \(worst) > \(tolerance)")
        }
        // An empty batch maps to an empty batch.
        let empty = try transform.apply(batch: Matrix<Scalar>(rows: 0, columns: d))
        #expect(empty.rows == 0 && empty.columns == m)
    }

    @Test("same seed gives identical bytes, different seeds differ", arguments: allConfigurations)
    func determinism(configuration: Configuration) throws {
        let a = try configuration.make(seed: 2024, as: Double.self).materialize()
        let b = try configuration.make(seed: 2024, as: Double.self).materialize()
        let c = try configuration.make(seed: 2025, as: Double.self).materialize()
        #expect(a.elements.map(\.bitPattern) == b.elements.map(\.bitPattern))
        #expect(a != c)
        let x = testVector(configuration.inputDimension, index: 3, as: Double.self)
        let y1 = try configuration.make(seed: 2024, as: Double.self).apply(x)
        let y2 = try configuration.make(seed: 2024, as: Double.self).apply(x)
        #expect(y1.map(\.bitPattern) == y2.map(\.bitPattern))
    }

    @Test("Float S is the Double S rounded; Float and Double apply agree to Float precision",
          arguments: allConfigurations)
    func floatMatchesDouble(configuration: Configuration) throws {
        let sDouble = try configuration.make(seed: 99, as: Double.self).materialize()
        let sFloat = try configuration.make(seed: 99, as: Float.self).materialize()
        // Every family builds its entries in Double and rounds once, so this is exact.
        let mismatches = zip(sFloat.elements, sDouble.converted(to: Float.self).elements).filter { $0 != $1 }.count
        #expect(mismatches == 0, "\(mismatches) entries of the Float S are not the rounded Double S")
        let d = configuration.inputDimension
        let x = testVector(d, index: 5, as: Double.self)
        let yDouble = try configuration.make(seed: 99, as: Double.self).apply(x)
        let yFloat = try configuration.make(seed: 99, as: Float.self).apply(x.map { Float($0) })
        // Float rounding of x and of the arithmetic: the dot-product bound in Float.
        let tolerance = dotTolerance(Float.self, d: d, rowNorm: maxRowNorm(sDouble), vectorNorm: squaredNorm(x).squareRoot())
        let worst = zip(yDouble, yFloat).map { abs($0 - Double($1)) }.max() ?? 0
        #expect(worst <= tolerance, "\(worst) > \(tolerance)")
    }

    @Test("wrong vector or batch length throws dimensionMismatch", arguments: allConfigurations)
    func dimensionMismatch(configuration: Configuration) throws {
        let transform = try configuration.make(seed: 1, as: Double.self)
        let d = configuration.inputDimension
        #expect(throws: TransformError.dimensionMismatch(expected: d, actual: d + 1)) {
            try transform.apply([Double](repeating: 1, count: d + 1))
        }
        #expect(throws: TransformError.dimensionMismatch(expected: d, actual: d - 1)) {
            try transform.apply(batch: Matrix<Double>(rows: 2, columns: d - 1))
        }
    }

    @Test("specification rebuilds a bit-identical transform", arguments: allConfigurations)
    func specificationRoundTrip(configuration: Configuration) throws {
        let transform = try configuration.make(seed: 31, as: Float.self)
        let spec = transform.specification
        #expect(spec.inputDimension == configuration.inputDimension)
        #expect(spec.sketchDimension == configuration.sketchDimension)
        #expect(spec.seed == 31 && spec.precision == "float")
        let rebuilt = try TransformKind(specification: spec)
            .make(inputDimension: spec.inputDimension, sketchDimension: spec.sketchDimension, seed: spec.seed, as: Float.self)
        #expect(try rebuilt.materialize() == transform.materialize())
        #expect(rebuilt.specification == spec)
    }

    @Test("batches computed concurrently from two tasks equal the sequential result", arguments: allConfigurations)
    func concurrentBatches(configuration: Configuration) async throws {
        let transform = try configuration.make(seed: 5, as: Float.self)
        let d = configuration.inputDimension
        let batch = try Matrix(rowVectors: (0..<8).map { testVector(d, index: UInt64($0), as: Float.self) })
        let sequential = try transform.apply(batch: batch)
        async let first = transform.apply(batch: batch)
        async let second = transform.apply(batch: batch)
        let (a, b) = try await (first, second)
        #expect(a == sequential && b == sequential)
    }
}

@Suite("Validation")
struct ValidationTests {
    @Test("invalid d, m and options throw typed errors", arguments: TransformKind.exampleSpecs)
    func invalidDimensions(spec: String) throws {
        let kind = try TransformKind(parsing: spec)
        #expect(throws: TransformError.invalidInputDimension(0)) {
            try kind.make(inputDimension: 0, sketchDimension: 4, seed: 1, as: Double.self)
        }
        #expect(throws: TransformError.invalidInputDimension(maximumInputDimension + 1)) {
            try kind.make(inputDimension: maximumInputDimension + 1, sketchDimension: 4, seed: 1, as: Double.self)
        }
        #expect(throws: TransformError.invalidSketchDimension(0, reason: "must be at least 1")) {
            try kind.make(inputDimension: 8, sketchDimension: 0, seed: 1, as: Double.self)
        }
    }

    @Test("Hadamard mixing needs a power-of-two d")
    func hadamardNeedsPowerOfTwo() throws {
        for mixing in [TransformKind.srht(.hadamard), .gaussianHD(.hadamard)] {
            #expect {
                try mixing.make(inputDimension: 12, sketchDimension: 4, seed: 1, as: Float.self)
            } throws: { error in
                guard case let .invalidOption(message) = error as? TransformError else { return false }
                return message.contains("power-of-two") && message.contains("d = 12")
            }
        }
        #expect(try SRHT<Double>(inputDimension: 12, sketchDimension: 4, seed: 1).mixing == .dct)
        #expect(try SRHT<Double>(inputDimension: 16, sketchDimension: 4, seed: 1).mixing == .hadamard)
        #expect(try GaussianHD<Double>(inputDimension: 12, sketchDimension: 4, seed: 1).mixing == .dct)
    }

    @Test("sparse sign needs 1 ≤ s ≤ m")
    func sparseSignRange() {
        for s in [0, 9] {
            #expect {
                try SparseSignJL<Double>(inputDimension: 4, sketchDimension: 8, seed: 1, nonzerosPerColumn: s)
            } throws: { error in
                guard case let .invalidOption(message) = error as? TransformError else { return false }
                return message.contains("s = \(s)")
            }
        }
    }

    @Test("dense transforms refuse m·d above the dense limit")
    func denseLimit() {
        #expect(throws: TransformError.self) {
            try GaussianJL<Float>(inputDimension: 1 << 20, sketchDimension: 1 << 9, seed: 1)
        }
        #expect(throws: TransformError.self) {
            try OrthogonalJL<Float>(inputDimension: 1 << 15, sketchDimension: 1, seed: 1)
        }
    }
}
