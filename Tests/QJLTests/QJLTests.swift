import Testing
@testable import QJL
