import Testing
@testable import JLExperiments
