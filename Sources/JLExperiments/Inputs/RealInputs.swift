import JLNumpy

/// Real attention keys and queries loaded from a pair of `.npy` files, validated once.
///
/// Accepted layouts (C order, any float or int dtype NpyArray reads; converted to Double):
/// ```
/// (heads, tokens, d)   e.g. shared/data/minilm/keys_layer3.npy: (12, 512, 32) <f4
/// (tokens, d)          one head
/// ```
/// Keys and queries must have the same rank, head count and d (token counts may differ), every
/// size ≥ 1, and only finite values.
public struct RealAttentionData: Sendable, Equatable {
    /// The keys file path.
    public let keysPath: String
    /// The queries file path.
    public let queriesPath: String
    /// Number of heads (1 for a 2-D file).
    public let headCount: Int
    /// Key tokens per head.
    public let keyTokenCount: Int
    /// Query tokens per head.
    public let queryTokenCount: Int
    /// Head dimension d.
    public let dimension: Int
    /// Keys, flat (heads, tokens, d).
    public let keys: [Double]
    /// Queries, flat (heads, tokens, d).
    public let queries: [Double]

    /// Loads and validates both files.
    /// - Throws: ``InputError/unreadableFile(path:reason:)``, ``InputError/badShape(path:shape:)``,
    ///   ``InputError/shapeMismatch(keys:queries:)``, ``InputError/nonFinite(path:index:)``.
    /// - Complexity: O(file sizes).
    public init(keysPath: String, queriesPath: String) throws(InputError) {
        let keyArray = try Self.read(keysPath)
        let queryArray = try Self.read(queriesPath)
        try self.init(keys: keyArray, keysPath: keysPath, queries: queryArray, queriesPath: queriesPath)
    }

    /// Validates two already-decoded arrays (the paths are used in messages only).
    /// - Throws: as `init(keysPath:queriesPath:)` minus the read errors.
    public init(keys keyArray: NpyArray, keysPath: String, queries queryArray: NpyArray, queriesPath: String) throws(InputError) {
        try Self.checkShape(keyArray.shape, path: keysPath)
        try Self.checkShape(queryArray.shape, path: queriesPath)
        let k = keyArray.shape, q = queryArray.shape
        guard k.count == q.count, k.last == q.last, k.count == 2 || k[0] == q[0] else {
            throw .shapeMismatch(keys: k, queries: q)
        }
        let keyValues = keyArray.values(as: Double.self)
        let queryValues = queryArray.values(as: Double.self)
        if let index = keyValues.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(path: keysPath, index: index) }
        if let index = queryValues.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(path: queriesPath, index: index) }
        self.keysPath = keysPath
        self.queriesPath = queriesPath
        self.headCount = k.count == 3 ? k[0] : 1
        self.keyTokenCount = k[k.count - 2]
        self.queryTokenCount = q[q.count - 2]
        self.dimension = k[k.count - 1]
        self.keys = keyValues
        self.queries = queryValues
    }

    static func read(_ path: String) throws(InputError) -> NpyArray {
        do {
            return try NpyArray(contentsOfFile: path)
        } catch {
            throw .unreadableFile(path: path, reason: error.description)
        }
    }

    static func checkShape(_ shape: [Int], path: String) throws(InputError) {
        guard shape.count == 2 || shape.count == 3, shape.allSatisfy({ $0 >= 1 }) else {
            throw .badShape(path: path, shape: shape)
        }
    }

    /// The keys of `head` (tokens `0..<keyCount`, default all) and query token `queryToken`
    /// (default the last) as an ``AttentionInput``.
    /// - Throws: ``InputError/indexOutOfRange(what:index:count:)`` for a bad head, token or count.
    /// - Complexity: O(keyCount·d).
    public func attentionInput(head: Int, queryToken: Int? = nil, keyCount: Int? = nil) throws(InputError) -> AttentionInput {
        guard (0..<headCount).contains(head) else { throw .indexOutOfRange(what: "--head", index: head, count: headCount) }
        let token = queryToken ?? (queryTokenCount - 1)
        guard (0..<queryTokenCount).contains(token) else {
            throw .indexOutOfRange(what: "--query-token", index: token, count: queryTokenCount)
        }
        let n = keyCount ?? keyTokenCount
        guard (1...keyTokenCount).contains(n) else {
            throw .indexOutOfRange(what: "--key-count", index: n, count: keyTokenCount + 1)
        }
        let d = dimension
        let keyStart = head * keyTokenCount * d
        let queryStart = (head * queryTokenCount + token) * d
        return try AttentionInput(keys: Array(keys[keyStart..<(keyStart + n * d)]),
                                  query: Array(queries[queryStart..<(queryStart + d)]), dimension: d)
    }
}
