/// An itemized account of the bits a quantized container stores, so that "bits per
/// coordinate" is a formula a reader can check, not a label (theory.md §3.7).
///
/// ```
/// bitsPerCoordinate = (Σ_components bits) / (tokens · headDimension)
/// ```
/// Every container that quantizes keys or values returns one, and its tests assert that
/// `totalBits / 8` equals the bytes the container actually allocates (padding included, as its
/// own component), so a cache called "3-bit" can be checked.
public struct BitLedger: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One stored component: what it is, and how many bits it takes in total.
    public struct Component: Sendable, Hashable, Codable {
        /// What is stored, e.g. "sign bits (m = 256 per key)", "key norms (Float16)".
        public var name: String
        /// Total bits for all tokens.
        public var bits: Int

        public init(name: String, bits: Int) {
            self.name = name
            self.bits = bits
        }
    }

    /// The components, in a stable order.
    public var components: [Component]
    /// Number of stored tokens (vectors).
    public var tokens: Int
    /// Coordinates per token (the head dimension d).
    public var coordinatesPerToken: Int

    public init(components: [Component], tokens: Int, coordinatesPerToken: Int) {
        self.components = components
        self.tokens = tokens
        self.coordinatesPerToken = coordinatesPerToken
    }

    /// Σ bits over all components.
    public var totalBits: Int { components.reduce(0) { $0 + $1.bits } }

    /// Total bytes (bits rounded up to whole bytes).
    public var totalBytes: Int { (totalBits + 7) / 8 }

    /// Bits per stored coordinate, total / (tokens · d); 0 when nothing is stored.
    public var bitsPerCoordinate: Double {
        let coordinates = tokens * coordinatesPerToken
        return coordinates > 0 ? Double(totalBits) / Double(coordinates) : 0
    }

    /// Bits per coordinate counting only the components whose names satisfy `include`
    /// (e.g. the paper's "sign bits only" reading of "3 bits per FPN").
    public func bitsPerCoordinate(counting include: (Component) -> Bool) -> Double {
        let coordinates = tokens * coordinatesPerToken
        guard coordinates > 0 else { return 0 }
        return Double(components.filter(include).reduce(0) { $0 + $1.bits }) / Double(coordinates)
    }

    /// The sum of two ledgers that store *different* vectors (e.g. a quantized part and a
    /// full-precision buffer of the same keys, or the keys and the values of a cache): bits add,
    /// components with equal names are added, and stored vectors add, so `bitsPerCoordinate`
    /// averages over every stored coordinate.
    /// ```
    /// totalBits = a.totalBits + b.totalBits,   tokens = a.tokens + b.tokens
    /// ```
    /// Both ledgers should have the same `coordinatesPerToken` (an empty ledger adopts the
    /// other's). If they differ, the result counts coordinates: `coordinatesPerToken = 1` and
    /// `tokens = a.tokens·a.d + b.tokens·b.d`, which keeps `bitsPerCoordinate` correct.
    /// To itemize several components of the *same* vectors, list them in one ledger instead.
    /// - Complexity: O(components of a · components of b).
    public func merged(with other: BitLedger) -> BitLedger {
        var merged = components
        for component in other.components {
            if let index = merged.firstIndex(where: { $0.name == component.name }) {
                merged[index].bits += component.bits
            } else {
                merged.append(component)
            }
        }
        if tokens == 0 || other.tokens == 0 || coordinatesPerToken == other.coordinatesPerToken {
            let coordinates = tokens == 0 ? other.coordinatesPerToken : coordinatesPerToken
            return BitLedger(components: merged, tokens: tokens + other.tokens, coordinatesPerToken: coordinates)
        }
        return BitLedger(components: merged,
                         tokens: tokens * coordinatesPerToken + other.tokens * other.coordinatesPerToken,
                         coordinatesPerToken: 1)
    }

    public var description: String {
        var lines = components.map { "  \($0.name): \($0.bits) bits" }
        lines.append("  total: \(totalBits) bits for \(tokens) tokens × \(coordinatesPerToken) coordinates = "
            + "\(bitsPerCoordinate) bits per coordinate")
        return lines.joined(separator: "\n")
    }
}
