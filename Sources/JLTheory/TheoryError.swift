/// Errors thrown by JLTheory when an argument is outside the domain of a closed form.
public enum TheoryError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An integer argument (dimension, sketch size, count) is outside its domain.
    case invalidInteger(name: String, value: Int, requirement: String)
    /// A real argument (ε, δ, a norm, an angle) is NaN, infinite or outside its domain.
    case invalidReal(name: String, value: Double, requirement: String)
    /// The scalar description of (q, k) violates Cauchy–Schwarz, ⟨q,k⟩² ≤ ‖q‖²‖k‖².
    case inconsistentGeometry(innerProductSquared: Double, normProduct: Double)
    /// Two arrays that describe the same keys have different lengths.
    case lengthMismatch(first: String, firstCount: Int, second: String, secondCount: Int)

    public var description: String {
        switch self {
        case let .invalidInteger(name, value, requirement):
            return "\(name) = \(value) is invalid: it must be \(requirement)."
        case let .invalidReal(name, value, requirement):
            return "\(name) = \(value) is invalid: it must be \(requirement)."
        case let .inconsistentGeometry(innerProductSquared, normProduct):
            return "⟨q,k⟩² = \(innerProductSquared) exceeds ‖q‖²‖k‖² = \(normProduct); "
                + "pass norms and inner product of the same vectors."
        case let .lengthMismatch(first, firstCount, second, secondCount):
            return "\(first) has \(firstCount) entries but \(second) has \(secondCount); pass one entry per key."
        }
    }
}

@usableFromInline
func requireInteger(_ value: Int, _ name: String, atLeast minimum: Int) throws(TheoryError) {
    guard value >= minimum else { throw .invalidInteger(name: name, value: value, requirement: "≥ \(minimum)") }
}

@usableFromInline
func requireReal(_ value: Double, _ name: String, _ requirement: String,
                 _ isValid: (Double) -> Bool) throws(TheoryError) {
    guard value.isFinite, isValid(value) else {
        throw .invalidReal(name: name, value: value, requirement: requirement)
    }
}

@usableFromInline
func requireEpsilon(_ epsilon: Double) throws(TheoryError) {
    try requireReal(epsilon, "epsilon", "finite and > 0") { $0 > 0 }
}

@usableFromInline
func requireProbability(_ delta: Double, _ name: String) throws(TheoryError) {
    try requireReal(delta, name, "strictly between 0 and 1") { $0 > 0 && $0 < 1 }
}
