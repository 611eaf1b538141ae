/// A dense row-major matrix with contiguous storage: element (i, j) is `elements[i·columns + j]`.
///
/// A value type (copy-on-write through `Array`). Batches of vectors are stored one vector per
/// row, so a batch of n keys in R^d is an n×d matrix.
public struct Matrix<Scalar: LinearAlgebraScalar>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The entries in row-major order; `count == rows · columns`.
    public var elements: [Scalar]

    /// A matrix of zeros. Throws if a dimension is negative (0 is allowed: an empty batch).
    /// - Complexity: O(rows·columns); for Float and Double one memset (+0.0 is all zero bits),
    ///   also when called from unspecialized generic code, where `Array(repeating:count:)`
    ///   would copy element by element through value witnesses.
    public init(rows: Int, columns: Int) throws(LinearAlgebraError) {
        guard rows >= 0 else { throw .invalidDimension(name: "rows", value: rows) }
        guard columns >= 0 else { throw .invalidDimension(name: "columns", value: columns) }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else { throw .sizeTooLarge(name: "rows·columns", value: Int.max) }
        self.rows = rows
        self.columns = columns
        if Scalar.self == Float.self || Scalar.self == Double.self {
            self.elements = [Scalar](unsafeUninitializedCapacity: count) { buffer, initializedCount in
                UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
                initializedCount = count
            }
        } else {
            self.elements = [Scalar](repeating: 0, count: count)
        }
    }

    /// A matrix over the given row-major entries.
    public init(rows: Int, columns: Int, elements: [Scalar]) throws(LinearAlgebraError) {
        guard rows >= 0 else { throw .invalidDimension(name: "rows", value: rows) }
        guard columns >= 0 else { throw .invalidDimension(name: "columns", value: columns) }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, count == elements.count else {
            throw .elementCountMismatch(expected: overflow ? Int.max : count, actual: elements.count)
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix over entries whose count is already known to be `rows · columns`.
    @usableFromInline
    init(validatedRows rows: Int, columns: Int, elements: [Scalar]) {
        assert(rows * columns == elements.count)
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix whose rows are the given vectors (all of the same length).
    public init(rowVectors: [[Scalar]]) throws(LinearAlgebraError) {
        let columns = rowVectors.first?.count ?? 0
        for (index, row) in rowVectors.enumerated() where row.count != columns {
            throw .shapeMismatch("row \(index) has \(row.count) entries, row 0 has \(columns)")
        }
        try self.init(rows: rowVectors.count, columns: columns, elements: rowVectors.flatMap { $0 })
    }

    /// Creates a matrix by evaluating `entry(i, j)` in row-major order.
    @inlinable
    public init(rows: Int, columns: Int, entry: (Int, Int) -> Scalar) throws(LinearAlgebraError) {
        try self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns { elements[i * columns + j] = entry(i, j) }
        }
    }

    /// The identity matrix of order n.
    public static func identity(_ n: Int) throws(LinearAlgebraError) -> Matrix {
        try Matrix(rows: n, columns: n) { i, j in i == j ? 1 : 0 }
    }

    /// Element (i, j). Indices are not checked beyond Array's own bounds check.
    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// Row i as an array.
    @inlinable
    public func row(_ i: Int) -> [Scalar] {
        Array(elements[(i * columns)..<((i + 1) * columns)])
    }

    /// The transpose.
    /// - Complexity: O(rows · columns).
    public var transposed: Matrix {
        var result = [Scalar](repeating: 0, count: elements.count)
        for i in 0..<rows {
            for j in 0..<columns { result[j * rows + i] = elements[i * columns + j] }
        }
        return Matrix(validatedRows: columns, columns: rows, elements: result)
    }

    /// Converts every entry to another precision (rounding to nearest).
    public func converted<Other: LinearAlgebraScalar>(to type: Other.Type = Other.self) -> Matrix<Other> {
        Matrix<Other>(validatedRows: rows, columns: columns, elements: elements.map { Other($0) })
    }

    /// The largest |entry|, 0 for an empty matrix.
    public var maxAbsoluteEntry: Scalar {
        elements.reduce(0) { Swift.max($0, Swift.abs($1)) }
    }
}
