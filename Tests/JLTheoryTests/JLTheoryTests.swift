import Testing
@testable import JLTheory
