import Testing
@testable import JLRandom
