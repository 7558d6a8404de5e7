import Foundation

/// A value bound to, or read from, a statement on either backend. Dates and booleans keep
/// their meaning so each backend stores them its own way: SQLite as GRDB always has (text
/// `yyyy-MM-dd HH:mm:ss.SSS` UTC, integers 0 and 1), PostgreSQL as `timestamptz` and `boolean`.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case date(Date)
    case bool(Bool)
}

/// A Swift value that binds as an ``SQLValue``.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

/// A Swift value read back from a column; nil when the column's value cannot be one.
public protocol SQLDecodable {
    init?(sqlValue: SQLValue)
}

extension String: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .text(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let text): self = text
        case .integer(let value): self = String(value)
        case .real(let value): self = String(value)
        case .blob(let bytes): self = String(decoding: bytes, as: UTF8.self)
        case .date(let date): self = date.storageText
        case .bool(let flag): self = flag ? "1" : "0"
        case .null: return nil
        }
    }
}

extension Int64: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .integer(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        case .bool(let flag): self = flag ? 1 : 0
        case .text(let text):
            guard let value = Int64(text) else { return nil }
            self = value
        default: return nil
        }
    }
}

extension Int: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(value)
    }
}

extension Double: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .real(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        case .text(let text):
            guard let value = Double(text) else { return nil }
            self = value
        default: return nil
        }
    }
}

extension Bool: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .bool(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .bool(let flag): self = flag
        case .integer(let value): self = value != 0
        case .text(let text) where text == "t" || text == "true" || text == "1": self = true
        case .text(let text) where text == "f" || text == "false" || text == "0": self = false
        default: return nil
        }
    }
}

extension Date: SQLBindable, SQLDecodable {
    public var sqlValue: SQLValue { .date(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .date(let date): self = date
        case .text(let text):
            guard let date = Date(storageText: text) else { return nil }
            self = date
        case .real(let seconds): self = Date(timeIntervalSince1970: seconds)
        case .integer(let seconds): self = Date(timeIntervalSince1970: Double(seconds))
        default: return nil
        }
    }
}

extension Array: SQLBindable where Element == UInt8 {
    public var sqlValue: SQLValue { .blob(self) }
}

extension Array: SQLDecodable where Element == UInt8 {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let bytes): self = bytes
        case .text(let text): self = Array(text.utf8)
        default: return nil
        }
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}
