import Testing
@testable import JLNotebook
