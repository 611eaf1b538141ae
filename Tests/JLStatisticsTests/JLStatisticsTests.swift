import Testing
@testable import JLStatistics
