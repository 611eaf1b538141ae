import Testing
@testable import JLExperimentKit
