import Testing
@testable import JLPlot
