/// Building a ``SignSketchBatch`` from already-packed sign words (e.g. bits read back from
/// storage, or synthetic keys for a scoring benchmark).
extension SignSketchBatch {
    /// Wraps packed sign words in the layout of ``SignSketchBatch``:
    ///
    /// ```
    /// signBits.count = n·⌈m/64⌉,   bit r of key i = bit (r mod 64) of signBits[i·⌈m/64⌉ + ⌊r/64⌋]
    /// ```
    /// with n = `keyNorms.count`; padding bits r ≥ m must be 0.
    /// - Throws: ``QJLError`` on m < 1, d < 1, a word count ≠ n·⌈m/64⌉, a set padding bit,
    ///   non-finite norms or a norm that overflows `normPrecision`.
    /// - Complexity: O(n·⌈m/64⌉).
    public init(
        signBits: [UInt64], sketchDimension m: Int, inputDimension: Int, keyNorms: [Double],
        normPrecision: NormPrecision, normLabel: String = "key norms"
    ) throws(QJLError) {
        guard m >= 1 else { throw .invalidSketchDimension(m) }
        guard inputDimension >= 1 else { throw .invalidArgument("input dimension must be ≥ 1, got \(inputDimension)") }
        let words = (m + 63) / 64, n = keyNorms.count
        guard signBits.count == n * words else {
            throw .dimensionMismatch(what: "sign words (n·⌈m/64⌉)", expected: n * words, actual: signBits.count)
        }
        if m % 64 != 0 {
            let padding = ~UInt64(0) << UInt64(m % 64)
            for i in 0..<n where signBits[i * words + words - 1] & padding != 0 {
                throw .invalidArgument("key \(i) has padding bits r ≥ m = \(m) set; clear them")
            }
        }
        try validateFinite(keyNorms, what: "key norms")
        self.count = n
        self.sketchDimension = m
        self.inputDimension = inputDimension
        self.wordsPerKey = words
        self.signBits = signBits
        self.normPrecision = normPrecision
        self.storedNorms = try StoredNorms(keyNorms, precision: normPrecision)
        self.normLabel = normLabel
    }
}
