import Testing
@testable import JLLinearAlgebra
