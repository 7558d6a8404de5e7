/// One result row, the same on both backends: values by column name (as the query names them).
///
/// ```swift
/// let row = try db.fetchOne("SELECT id, attempts FROM jobs WHERE id = ?", [id])
/// let attempts: Int = try row?.value("attempts") ?? 0
/// let step: String? = row?["step"]
/// ```
public struct SQLRow: Sendable, Equatable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of `column`, nil when the query has no such column.
    public func raw(_ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    /// `column` as `T`; nil when it is NULL, missing or not a `T`.
    public subscript<T: SQLDecodable>(_ column: String) -> T? {
        raw(column).flatMap(T.init(sqlValue:))
    }

    /// `column` as `T`, failing with the column's name when it is NULL, missing or not a `T`.
    public func value<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let raw = raw(column) else { throw SQLError.decoding("no column \"\(column)\" in \(columns)") }
        guard let value = T(sqlValue: raw) else { throw SQLError.decoding("column \"\(column)\": \(raw) is not a \(T.self)") }
        return value
    }
}
