import Testing
@testable import JLNumpy
