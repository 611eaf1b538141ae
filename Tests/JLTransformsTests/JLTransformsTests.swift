import Testing
@testable import JLTransforms
