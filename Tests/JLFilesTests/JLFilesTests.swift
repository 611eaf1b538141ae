import Testing
@testable import JLFiles
