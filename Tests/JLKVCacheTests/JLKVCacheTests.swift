import Testing
@testable import JLKVCache
