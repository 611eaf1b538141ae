import Foundation
import JLExperimentKit
import JLLinearAlgebra
import JLNumpy
import JLTransforms
import QJL
import Testing
@testable import JLExperiments

// Library-level rows of docs/errors.md that no module test covered yet. Each test names the row
// it covers; the table links here. Rows covered elsewhere are referenced from the table only.

@Suite("docs/errors.md: library rows")
struct ErrorsLibraryTests {
    // MARK: NaN and ±∞ in keys or queries

    /// The three non-finite IEEE values a user can pass.
    static let nonFiniteValues: [Double] = [.nan, .infinity, -.infinity]

    @Test("NaN and ±∞ in keys or queries: every QJL entry point throws nonFiniteInput with the flat index",
          arguments: nonFiniteValues)
    func nonFiniteKeysAndQueries(bad: Double) throws {
        try checkNonFinite(Float.self, bad: Float(bad))
        try checkNonFinite(Double.self, bad: bad)
    }

    func checkNonFinite<Scalar: LinearAlgebraScalar>(_: Scalar.Type, bad: Scalar) throws {
        let d = 4, m = 8
        let transform = try GaussianJL<Scalar>(inputDimension: d, sketchDimension: m, seed: 3)
        let estimator = try AsymmetricQJLEstimator(transform: transform)
        var keyValues = [Scalar](repeating: 1, count: 2 * d)
        keyValues[6] = bad
        let badKeys = try Matrix<Scalar>(rows: 2, columns: d, elements: keyValues)
        #expect(throws: QJLError.nonFiniteInput(what: "keys", index: 6)) {
            try SignSketchBatch(keys: badKeys, transform: transform, normPrecision: .float32)
        }
        #expect(throws: QJLError.nonFiniteInput(what: "keys", index: 2)) {
            try estimator.estimate(query: [1, 1, 1, 1], key: [1, 1, bad, 1], transform: transform)
        }
        #expect(throws: QJLError.nonFiniteInput(what: "query", index: 3)) {
            try estimator.estimate(query: [1, 1, 1, bad], key: [1, 1, 1, 1], transform: transform)
        }
        let goodKeys = try Matrix<Scalar>(rows: 2, columns: d, elements: [Scalar](repeating: 1, count: 2 * d))
        let sketch = try SignSketchBatch(keys: goodKeys, transform: transform, normPrecision: .float32)
        let badQueries = try Matrix<Scalar>(rows: 2, columns: d, elements: [1, 1, 1, 1, 1, bad, 1, 1])
        #expect(throws: QJLError.nonFiniteInput(what: "queries", index: 5)) {
            try estimator.scores(queries: badQueries, keys: sketch, transform: transform)
        }
        #expect(throws: QJLError.nonFiniteInput(what: "keys", index: 6)) {
            try OutlierSplitSketch(keys: badKeys, transform: transform, groupSize: 2, outlierCount: 1,
                                   outlierSketchDimension: m, normPrecision: .float32)
        }
        let split = try OutlierSplitSketch(keys: goodKeys, transform: transform, groupSize: 2, outlierCount: 1,
                                           outlierSketchDimension: m, normPrecision: .float32)
        #expect(throws: QJLError.nonFiniteInput(what: "queries", index: 5)) {
            try split.scores(queries: badQueries, transform: transform, estimator: estimator)
        }
        // The transform itself is a linear map and does not scan its input: NaN/±∞ propagate (IEEE).
        #expect(try transform.apply([1, 1, bad, 1]).allSatisfy { !$0.isFinite })
        let message = QJLError.nonFiniteInput(what: "keys", index: 6).description
        #expect(message == "non-finite input: keys has NaN or ±∞ at flat index 6; clean the input first")
    }

    // MARK: zero vectors

    @Test("zero query and zero keys: the estimate is exactly 0, plain and outlier-split")
    func zeroVectors() throws {
        try checkZeroVectors(Float.self)
        try checkZeroVectors(Double.self)
    }

    func checkZeroVectors<Scalar: LinearAlgebraScalar>(_: Scalar.Type) throws {
        let d = 8, m = 64
        let transform = try GaussianJL<Scalar>(inputDimension: d, sketchDimension: m, seed: 5)
        let estimator = try AsymmetricQJLEstimator(transform: transform)
        let key: [Scalar] = [1, -2, 3, -4, 5, -6, 7, -8]
        // q = 0: S·q = 0, so Σ_r (S·q)_r·sign(S·k)_r = 0 exactly whatever the signs.
        #expect(try estimator.estimate(query: [Scalar](repeating: 0, count: d), key: key, transform: transform) == 0)
        // k = 0: the stored norm ‖k‖ = 0 multiplies the sum, so the estimate is exactly 0.
        #expect(try estimator.estimate(query: key, key: [Scalar](repeating: 0, count: d), transform: transform) == 0)
        // Outlier split of all-zero keys: both parts have norm 0.
        let zeroKeys = try Matrix<Scalar>(rows: 4, columns: d)
        let split = try OutlierSplitSketch(keys: zeroKeys, transform: transform, groupSize: 2, outlierCount: 2,
                                           outlierSketchDimension: m, normPrecision: .float16)
        let queries = try Matrix<Scalar>(rows: 1, columns: d, elements: key)
        #expect(try split.scores(queries: queries, transform: transform, estimator: estimator).elements == [0, 0, 0, 0])
    }

    // MARK: d or m ≤ 0

    @Test("d or m ≤ 0 for the QJL estimator and for sketches from raw projections", arguments: [0, -1, Int.min])
    func nonPositiveDimensions(size: Int) throws {
        #expect(throws: QJLError.invalidSketchDimension(size)) {
            try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: 4, sketchDimension: size)
        }
        #expect(throws: QJLError.invalidArgument("input dimension must be ≥ 1, got \(size)")) {
            try AsymmetricQJLEstimator(rowLaw: .gaussian, inputDimension: size, sketchDimension: 4)
        }
        #expect(throws: TransformError.invalidInputDimension(size)) {
            try GaussianJL<Double>(inputDimension: size, sketchDimension: 4, seed: 1)
        }
        #expect(throws: TransformError.invalidSketchDimension(size, reason: "must be at least 1")) {
            try SRHT<Double>(inputDimension: 8, sketchDimension: size, seed: 1)
        }
    }

    @Test("d above maximumInputDimension (2²⁰) is refused by every transform family before allocating",
          arguments: TransformKind.exampleSpecs)
    func dimensionAboveLimit(spec: String) throws {
        let kind = try TransformKind(parsing: spec)
        #expect(throws: TransformError.invalidInputDimension(maximumInputDimension + 1)) {
            try kind.make(inputDimension: maximumInputDimension + 1, sketchDimension: 4, seed: 1, as: Float.self)
        }
        #expect(TransformError.invalidInputDimension(maximumInputDimension + 1).description
            == "invalid input dimension d = 1048577: must be between 1 and 1048576")
    }

    // MARK: dimension mismatch between query, keys and transform

    @Test("query, keys, sketch and transform must agree on d and m; each mismatch names the quantity")
    func dimensionMismatches() throws {
        let transform = try GaussianJL<Double>(inputDimension: 4, sketchDimension: 8, seed: 1)
        let estimator = try AsymmetricQJLEstimator(transform: transform)
        #expect(throws: QJLError.dimensionMismatch(what: "query dimension d", expected: 4, actual: 5)) {
            try estimator.estimate(query: [1, 2, 3, 4, 5], key: [1, 2, 3, 4], transform: transform)
        }
        #expect(throws: QJLError.dimensionMismatch(what: "key dimension d", expected: 4, actual: 3)) {
            try estimator.estimate(query: [1, 2, 3, 4], key: [1, 2, 3], transform: transform)
        }
        let widerSketch = try GaussianJL<Double>(inputDimension: 4, sketchDimension: 16, seed: 1)
        #expect(throws: QJLError.dimensionMismatch(what: "transform sketch dimension m", expected: 8, actual: 16)) {
            try estimator.estimate(query: [1, 2, 3, 4], key: [1, 2, 3, 4], transform: widerSketch)
        }
        let otherInput = try GaussianJL<Double>(inputDimension: 5, sketchDimension: 8, seed: 1)
        #expect(throws: QJLError.dimensionMismatch(what: "transform input dimension d", expected: 4, actual: 5)) {
            try estimator.estimate(query: [1, 2, 3, 4, 5], key: [1, 2, 3, 4, 5], transform: otherInput)
        }
        // Keys sketched with m = 16, scored with an m = 8 transform.
        let keys = try Matrix<Double>(rows: 3, columns: 4, elements: (0..<12).map(Double.init))
        let foreignSketch = try SignSketchBatch(keys: keys, transform: widerSketch, normPrecision: .float32)
        let queries = try Matrix<Double>(rows: 1, columns: 4, elements: [1, 0, 0, 0])
        #expect(throws: QJLError.dimensionMismatch(what: "projected query width m", expected: 16, actual: 8)) {
            try estimator.scores(queries: queries, keys: foreignSketch, transform: transform)
        }
        #expect(throws: QJLError.dimensionMismatch(what: "sketch dimension m", expected: 8, actual: 16)) {
            try estimator.estimate(projectedQuery: [Double](repeating: 1, count: 8), keys: foreignSketch, index: 0)
        }
        let wideQueries = try Matrix<Double>(rows: 1, columns: 5)
        #expect(throws: QJLError.dimensionMismatch(what: "query dimension d", expected: 4, actual: 5)) {
            try estimator.scores(queries: wideQueries, keys: foreignSketch, transform: transform)
        }
        #expect(throws: TransformError.dimensionMismatch(expected: 4, actual: 5)) {
            try transform.apply([1, 2, 3, 4, 5])
        }
    }

    // MARK: group size and outliers

    @Test("group size < 1 or not dividing the tokens; outliers above d − 1 (d − 1 is accepted)")
    func groupSizeAndOutliers() throws {
        let transform = try GaussianJL<Double>(inputDimension: 4, sketchDimension: 8, seed: 1)
        let keys = try Matrix<Double>(rows: 6, columns: 4, entry: { i, j in Double(i * 4 + j + 1) })
        func split(groupSize: Int, outliers: Int) throws -> OutlierSplitSketch {
            try OutlierSplitSketch(keys: keys, transform: transform, groupSize: groupSize, outlierCount: outliers,
                                   outlierSketchDimension: 8, normPrecision: .float32)
        }
        #expect(throws: QJLError.invalidGroupSize(0)) { try split(groupSize: 0, outliers: 1) }
        #expect(throws: QJLError.groupSizeDoesNotDivide(tokens: 6, groupSize: 4)) { try split(groupSize: 4, outliers: 1) }
        #expect(throws: QJLError.tooManyOutliers(outlierCount: 4, channels: 4)) { try split(groupSize: 3, outliers: 4) }
        #expect(throws: QJLError.tooManyOutliers(outlierCount: -1, channels: 4)) { try split(groupSize: 3, outliers: -1) }
        #expect(try split(groupSize: 3, outliers: 3).outlierChannels(group: 0).count == 3)
        #expect(QJLError.groupSizeDoesNotDivide(tokens: 6, groupSize: 4).description
            == "group size 4 does not divide the 6 tokens; pass a multiple of the group size")
        #expect(QJLError.tooManyOutliers(outlierCount: 4, channels: 4).description
            == "more outliers than channels allow: 4 outliers for d = 4; use at most d − 1 = 3")
    }

    // MARK: malformed .npy files given to --keys / --queries

    /// A valid (2, 4) `<f4` file's bytes and a way to corrupt them.
    static func validNpy() throws -> [UInt8] {
        try NpyArray(shape: [2, 4], values: (0..<8).map(Float.init)).npyBytes()
    }

    /// `bytes` with the first occurrence of `old` replaced by `new` (same length, so the header
    /// length field stays right).
    static func replacing(_ old: String, with new: String, in bytes: [UInt8]) -> [UInt8] {
        let from = Array(old.utf8), to = Array(new.utf8)
        precondition(from.count == to.count, "test helper: replacement must keep the header length")
        guard let start = (0...(bytes.count - from.count)).first(where: { Array(bytes[$0..<($0 + from.count)]) == from })
        else { return bytes }
        var result = bytes
        result.replaceSubrange(start..<(start + from.count), with: to)
        return result
    }

    @Test("malformed, truncated, big-endian, Fortran-order and wrong-dtype .npy behind --keys: exit 65, NpyError text")
    func badNpyInputs() throws {
        let scratch = try InputsScratch()
        let good = try Self.validNpy()
        let goodPath = "\(scratch.path)/good.npy"
        try Data(good).write(to: URL(fileURLWithPath: goodPath))
        let cases: [(name: String, bytes: [UInt8], expected: NpyError)] = [
            ("notnpy.npy", Array("not an array at all".utf8), .notNpy),
            ("bigendian.npy", Self.replacing("'<f4'", with: "'>f4'", in: good), .bigEndian(descr: ">f4")),
            ("fortran.npy", Self.replacing("False", with: "True ", in: good), .fortranOrder),
            ("complex.npy", Self.replacing("'<f4'", with: "'<c8'", in: good), .unsupportedDType(descr: "'<c8'")),
            ("uint8.npy", Self.replacing("'<f4'", with: "'|u1'", in: good), .unsupportedDType(descr: "'|u1'")),
            ("truncated.npy", Array(good.dropLast(3)), .truncated(expectedBytes: good.count, actualBytes: good.count - 3)),
            ("trailing.npy", good + [0, 0, 0, 0], .trailingBytes(expectedBytes: good.count, actualBytes: good.count + 4)),
        ]
        for (name, bytes, expected) in cases {
            let path = "\(scratch.path)/\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = InputError.unreadableFile(path: path, reason: expected.description)
            #expect(throws: error) { try RealAttentionData(keysPath: path, queriesPath: goodPath) }
            #expect(throws: error) { try RealAttentionData(keysPath: goodPath, queriesPath: path) }
            #expect(error.experimentError.exitStatus == .dataError)
            #expect(!error.description.contains("\n"))
        }
        // A header that is not a dict literal: the case is malformedHeader (detail text is the parser's).
        let malformedPath = "\(scratch.path)/malformed.npy"
        try Data(Self.replacing("'shape'", with: "'shope'", in: good)).write(to: URL(fileURLWithPath: malformedPath))
        #expect {
            try RealAttentionData(keysPath: malformedPath, queriesPath: goodPath)
        } throws: { error in
            guard case let .unreadableFile(path, reason) = error as? InputError else { return false }
            return path == malformedPath && reason.hasPrefix("malformed .npy header:")
        }
        #expect(throws: InputError.unreadableFile(
            path: "\(scratch.path)/missing.npy",
            reason: NpyError.file(.notFound(path: "\(scratch.path)/missing.npy")).description)) {
            try RealAttentionData(keysPath: "\(scratch.path)/missing.npy", queriesPath: goodPath)
        }
    }
}

@Suite("docs/errors.md: the library messages quoted in the table")
struct ErrorsTableMessageTests {
    @Test("each quoted library message is exactly what the error prints")
    func quotedMessages() throws {
        #expect(TransformError.invalidInputDimension(0).description
            == "invalid input dimension d = 0: must be between 1 and 1048576")
        #expect(QJLError.invalidSketchDimension(0).description == "invalid sketch dimension m = 0: must be at least 1")
        #expect(TransformError.invalidSketchDimension(0, reason: "must be at least 1").description
            == "invalid sketch dimension m = 0: must be at least 1")
        #expect(throws: TransformError.invalidSketchDimension(
            512, reason: "the Gaussian matrix would need 512×1048576 entries, above the limit 268435456")) {
            try GaussianJL<Float>(inputDimension: 1 << 20, sketchDimension: 512, seed: 1)
        }
        #expect(QJLError.dimensionMismatch(what: "transform sketch dimension m", expected: 8, actual: 16).description
            == "dimension mismatch for transform sketch dimension m: expected 8, got 16")
        #expect(NpyError.notNpy.description == "not a .npy file: missing the \\x93NUMPY magic string")
        #expect(NpyError.unsupportedDType(descr: "'<c8'").description == "unsupported dtype '<c8'; supported: <f2, <f4, <f8, <i4, <i8")
        // The (2, 4) <f4 file of the CLI rows: 128-byte preamble and header, 32 data bytes.
        #expect(try ErrorsLibraryTests.validNpy().count == 160)
        #expect(NpyError.truncated(expectedBytes: 160, actualBytes: 157).description
            == "truncated .npy data: header declares 160 bytes in total, file has 157")
    }
}
