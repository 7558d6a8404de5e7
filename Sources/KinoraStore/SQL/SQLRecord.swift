import Foundation

/// A `Codable` record read from and written to one table on either backend, by its coding
/// keys (which name the columns, as they do for GRDB): the records keep one definition while
/// repositories move from GRDB to ``SQLDatabase``.
///
/// ```swift
/// let user = try db.fetchOne(UserRecord.self, "SELECT * FROM users WHERE id = ?", [id])
/// try db.insert(user, into: "users")
/// ```
extension SQLConnection {
    public func fetchAll<Record: Decodable>(_ type: Record.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> [Record] {
        try fetchAll(sql, arguments).map { try Record(from: SQLRowDecoder(row: $0)) }
    }

    public func fetchOne<Record: Decodable>(_ type: Record.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> Record? {
        try fetchOne(sql, arguments).map { try Record(from: SQLRowDecoder(row: $0)) }
    }

    /// Inserts `record`'s encoded members as columns of `table`.
    public func insert<Record: Encodable>(_ record: Record, into table: String) throws {
        let encoder = SQLRowEncoder()
        try record.encode(to: encoder)
        let columns = encoder.columns
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try execute(
            "INSERT INTO \(table) (\(columns.map(\.name).joined(separator: ", "))) VALUES (\(placeholders))",
            columns.map(\.value))
    }
}

/// Decodes a record from an ``SQLRow``, one member per column.
struct SQLRowDecoder: Decoder {
    let row: SQLRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Container<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw SQLError.decoding("a row decodes only as a keyed record")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw SQLError.decoding("a row decodes only as a keyed record")
    }

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: SQLRow
        var codingPath: [any CodingKey] = []
        var allKeys: [Key] { row.columns.compactMap(Key.init(stringValue:)) }

        func contains(_ key: Key) -> Bool { row.columns.contains(key.stringValue) }

        func decodeNil(forKey key: Key) throws -> Bool { (row.raw(key.stringValue) ?? .null) == .null }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if let decodable = T.self as? any SQLDecodable.Type {
                guard let raw = row.raw(key.stringValue) else { throw SQLError.decoding("no column \"\(key.stringValue)\"") }
                guard let value = decodable.init(sqlValue: raw) as? T else {
                    throw SQLError.decoding("column \"\(key.stringValue)\": \(raw) is not a \(T.self)")
                }
                return value
            }
            if T.self == Data.self {
                let bytes: [UInt8] = try row.value(key.stringValue)
                // swift-format-ignore
                return Data(bytes) as! T
            }
            throw SQLError.decoding("column \"\(key.stringValue)\": \(T.self) is not a column type")
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw SQLError.decoding("column \"\(key.stringValue)\" holds no nested record")
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw SQLError.decoding("column \"\(key.stringValue)\" holds no list")
        }

        func superDecoder() throws -> any Decoder { SQLRowDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { SQLRowDecoder(row: row) }
    }
}

/// Encodes a record's members as (column, value) pairs, in the order it encodes them.
final class SQLRowEncoder: Encoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    fileprivate(set) var columns: [(name: String, value: SQLValue)] = []

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Container<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure("a record encodes as keyed columns") }
    func singleValueContainer() -> any SingleValueEncodingContainer { preconditionFailure("a record encodes as keyed columns") }

    struct Container<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: SQLRowEncoder
        var codingPath: [any CodingKey] = []

        func encodeNil(forKey key: Key) throws { encoder.columns.append((key.stringValue, .null)) }

        func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            if let bindable = value as? any SQLBindable {
                encoder.columns.append((key.stringValue, bindable.sqlValue))
            } else if let data = value as? Data {
                encoder.columns.append((key.stringValue, .blob(Array(data))))
            } else {
                throw SQLError.decoding("member \"\(key.stringValue)\": \(T.self) is not a column type")
            }
        }

        func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("member \"\(key.stringValue)\": a record's members are columns, not nested records")
        }

        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("member \"\(key.stringValue)\": a record's members are columns, not lists")
        }

        func superEncoder() -> any Encoder { encoder }
        func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }
}
