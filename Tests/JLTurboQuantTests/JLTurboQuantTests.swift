import Testing
@testable import JLTurboQuant
