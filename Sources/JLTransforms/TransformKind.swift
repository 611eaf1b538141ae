import JLLinearAlgebra

/// A transform family with its options, without dimensions or seed: the unit a CLI flag or an
/// experiment sweep names. ``make(inputDimension:sketchDimension:seed:as:)`` builds it.
///
/// Textual specs (``init(parsing:)`` and ``description`` round-trip):
/// ```
/// gaussian                  GaussianJL
/// orthogonal-sqrtd          OrthogonalJL, rows of length √d (QJL code)
/// orthogonal-chi            OrthogonalJL, χ_d row lengths (ORF, unbiased QJL)
/// orthogonal-expectedchi    OrthogonalJL, rows of length E[χ_d]
///   (append "-nosigncorrection" to any orthogonal spec for LAPACK's raw Q)
/// srht | srht-hadamard | srht-dct          SRHT, automatic / Hadamard / DCT mixing
/// gaussian-hd | gaussian-hd-hadamard | gaussian-hd-dct   GaussianHD
/// sparse-<s>                SparseSignJL with s nonzeros per column (sparse-1 = CountSketch)
/// ```
public enum TransformKind: Sendable, Hashable, CustomStringConvertible {
    /// ``GaussianJL``.
    case gaussian
    /// ``OrthogonalJL`` with a row-length rule and sign correction.
    case orthogonal(OrthogonalRowLength, signCorrection: Bool = true)
    /// ``SRHT`` with a mixing choice.
    case srht(MixingTransform)
    /// ``GaussianHD`` with a mixing choice.
    case gaussianHD(MixingTransform)
    /// ``SparseSignJL`` with s nonzeros per column.
    case sparseSign(Int)

    /// Example specs, one per family and option, for help texts.
    public static let exampleSpecs = [
        "gaussian", "orthogonal-sqrtd", "orthogonal-chi", "orthogonal-expectedchi",
        "orthogonal-sqrtd-nosigncorrection", "srht", "srht-hadamard", "srht-dct",
        "gaussian-hd", "gaussian-hd-hadamard", "gaussian-hd-dct", "sparse-1", "sparse-4",
    ]

    /// Parses a textual spec (case-insensitive; see the type's table).
    /// - Throws: ``TransformError/invalidOption(_:)`` naming the valid specs.
    public init(parsing text: String) throws(TransformError) {
        let spec = text.lowercased()
        let invalid = TransformError.invalidOption(
            "unknown transform '\(text)'; valid: \(Self.exampleSpecs.joined(separator: ", ")) (sparse-<s> for any s ≥ 1)")
        switch spec {
        case "gaussian": self = .gaussian
        case "srht": self = .srht(.automatic)
        case "srht-hadamard": self = .srht(.hadamard)
        case "srht-dct": self = .srht(.dct)
        case "gaussian-hd": self = .gaussianHD(.automatic)
        case "gaussian-hd-hadamard": self = .gaussianHD(.hadamard)
        case "gaussian-hd-dct": self = .gaussianHD(.dct)
        default:
            if spec.hasPrefix("sparse-") {
                guard let s = Int(spec.dropFirst("sparse-".count)), s >= 1 else { throw invalid }
                self = .sparseSign(s)
            } else if spec.hasPrefix("orthogonal-") {
                var rest = spec.dropFirst("orthogonal-".count)
                var signCorrection = true
                if rest.hasSuffix("-nosigncorrection") {
                    rest = rest.dropLast("-nosigncorrection".count)
                    signCorrection = false
                }
                guard let length = OrthogonalRowLength.allCases.first(where: { $0.rawValue.lowercased() == rest })
                else { throw invalid }
                self = .orthogonal(length, signCorrection: signCorrection)
            } else {
                throw invalid
            }
        }
    }

    /// The textual spec (parses back to `self`).
    public var description: String {
        switch self {
        case .gaussian: "gaussian"
        case let .orthogonal(length, signCorrection):
            "orthogonal-\(length.rawValue.lowercased())\(signCorrection ? "" : "-nosigncorrection")"
        case let .srht(mixing): mixing == .automatic ? "srht" : "srht-\(mixing.rawValue)"
        case let .gaussianHD(mixing): mixing == .automatic ? "gaussian-hd" : "gaussian-hd-\(mixing.rawValue)"
        case let .sparseSign(s): "sparse-\(s)"
        }
    }

    /// Builds the transform for (d, m, seed) in the given precision.
    /// - Throws: whatever the family's initializer throws (``TransformError``).
    /// - Complexity: that of the family's initializer.
    public func make<Scalar: LinearAlgebraScalar>(
        inputDimension: Int, sketchDimension: Int, seed: UInt64, as type: Scalar.Type = Scalar.self
    ) throws(TransformError) -> any JLTransform<Scalar> {
        let d = inputDimension, m = sketchDimension
        switch self {
        case .gaussian:
            return try GaussianJL<Scalar>(inputDimension: d, sketchDimension: m, seed: seed)
        case let .orthogonal(length, signCorrection):
            return try OrthogonalJL<Scalar>(inputDimension: d, sketchDimension: m, seed: seed,
                                            rowLength: length, signCorrection: signCorrection)
        case let .srht(mixing):
            return try SRHT<Scalar>(inputDimension: d, sketchDimension: m, seed: seed, mixing: mixing)
        case let .gaussianHD(mixing):
            return try GaussianHD<Scalar>(inputDimension: d, sketchDimension: m, seed: seed, mixing: mixing)
        case let .sparseSign(s):
            return try SparseSignJL<Scalar>(inputDimension: d, sketchDimension: m, seed: seed, nonzerosPerColumn: s)
        }
    }

    /// The kind that rebuilds a ``TransformSpecification`` written by one of this module's
    /// transforms (family and options), so `kind.make(d, m, seed)` reproduces it bit for bit.
    /// - Throws: ``TransformError/invalidOption(_:)`` for an unknown family or option value.
    public init(specification: TransformSpecification) throws(TransformError) {
        let options = specification.options
        func mixing() throws(TransformError) -> MixingTransform {
            guard let raw = options["mixing"], let value = MixingTransform(rawValue: raw) else {
                throw .invalidOption("specification \(specification) lacks a valid 'mixing' option")
            }
            return value
        }
        switch specification.family {
        case "GaussianJL": self = .gaussian
        case "OrthogonalJL":
            guard let raw = options["rowLength"], let length = OrthogonalRowLength(rawValue: raw) else {
                throw .invalidOption("specification \(specification) lacks a valid 'rowLength' option")
            }
            self = .orthogonal(length, signCorrection: options["signCorrection"] != "false")
        case "SRHT": self = .srht(try mixing())
        case "GaussianHD": self = .gaussianHD(try mixing())
        case "SparseSignJL":
            guard let raw = options["nonzerosPerColumn"], let s = Int(raw) else {
                throw .invalidOption("specification \(specification) lacks a valid 'nonzerosPerColumn' option")
            }
            self = .sparseSign(s)
        default:
            throw .invalidOption(
                "unknown family '\(specification.family)'; valid: GaussianJL, OrthogonalJL, SRHT, GaussianHD, SparseSignJL")
        }
    }
}
