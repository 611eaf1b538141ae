import JLLinearAlgebra
import Testing
@testable import JLTransforms

@Suite("TransformKind")
struct TransformKindTests {
    @Test("every example spec parses and prints back", arguments: TransformKind.exampleSpecs)
    func roundTrip(spec: String) throws {
        let kind = try TransformKind(parsing: spec)
        #expect(kind.description == spec)
        #expect(try TransformKind(parsing: spec.uppercased()) == kind)
    }

    @Test("specs map to the intended families and options")
    func mapping() throws {
        #expect(try TransformKind(parsing: "gaussian") == .gaussian)
        #expect(try TransformKind(parsing: "orthogonal-sqrtd") == .orthogonal(.sqrtD))
        #expect(try TransformKind(parsing: "orthogonal-chi") == .orthogonal(.chi))
        #expect(try TransformKind(parsing: "orthogonal-expectedchi") == .orthogonal(.expectedChi))
        #expect(try TransformKind(parsing: "orthogonal-chi-nosigncorrection") == .orthogonal(.chi, signCorrection: false))
        #expect(try TransformKind(parsing: "srht") == .srht(.automatic))
        #expect(try TransformKind(parsing: "srht-dct") == .srht(.dct))
        #expect(try TransformKind(parsing: "gaussian-hd") == .gaussianHD(.automatic))
        #expect(try TransformKind(parsing: "sparse-4") == .sparseSign(4))
        let t = try TransformKind.orthogonal(.chi).make(inputDimension: 8, sketchDimension: 8, seed: 1, as: Float.self)
        #expect(t.rowLaw == .haarWithChiLength)
        #expect(t is OrthogonalJL<Float>)
        #expect(try TransformKind.sparseSign(2).make(inputDimension: 8, sketchDimension: 8, seed: 1, as: Double.self)
            is SparseSignJL<Double>)
    }

    @Test("unknown specs throw invalidOption listing the valid names",
          arguments: ["", "gauss", "sparse-0", "sparse-x", "orthogonal-foo", "srht-fft", "orthogonal-sqrtd-nosign"])
    func invalid(spec: String) {
        #expect {
            try TransformKind(parsing: spec)
        } throws: { error in
            guard case let .invalidOption(message) = error as? TransformError else { return false }
            return message.contains("valid:") && message.contains("orthogonal-expectedchi") && message.contains("sparse-4")
        }
    }

    @Test("an unknown family in a specification throws")
    func unknownFamily() {
        let spec = TransformSpecification(family: "Nope", inputDimension: 4, sketchDimension: 4, seed: 1, precision: "float")
        #expect(throws: TransformError.self) { try TransformKind(specification: spec) }
    }
}
