import Foundation

/// One column the copy fills: its PostgreSQL type decides how a SQLite value becomes a value
/// of that type, and how both sides' values are written for the checksum.
struct CopyColumn: Sendable, Equatable {
    /// What the copy knows how to convert; any other type is refused rather than guessed.
    enum Kind: String, Sendable {
        case text, integer, real, boolean, timestamp, bytes
    }

    let name: String
    let kind: Kind
    /// What to select on SQLite: the quoted column, or `rowid` for the key of a full-text
    /// table, whose SQLite form keeps the key as its rowid.
    var sourceExpression: String

    /// The kind of a column as `information_schema.columns` describes it; nil for a type the
    /// copy does not handle.
    static func kind(dataType: String, udtName: String) -> Kind? {
        switch dataType {
        case "text", "character varying", "character": .text
        case "USER-DEFINED" where udtName == "citext": .text
        case "bigint", "integer", "smallint": .integer
        case "double precision", "real": .real
        case "boolean": .boolean
        case "timestamp with time zone": .timestamp
        case "bytea": .bytes
        default: nil
        }
    }

    /// A SQLite value as the value to bind for this column. Dates stay text: SQLite's
    /// `yyyy-MM-dd HH:mm:ss.SSS` (UTC) goes to PostgreSQL with its offset, so no millisecond
    /// is lost to a round trip through `Date`'s floating-point seconds.
    func converted(_ value: SQLValue) -> Result<SQLValue, ValueProblem> {
        if value == .null { return .success(.null) }
        switch (kind, value) {
        case (.text, .text), (.integer, .integer), (.real, .real), (.bytes, .blob), (.boolean, .bool):
            return .success(value)
        case (.text, .integer), (.text, .real):
            return .success(.text(String(sqlValue: value) ?? ""))
        case (.integer, _):
            return Int64(sqlValue: value).map { .success(.integer($0)) } ?? .failure(ValueProblem(value, "is not an integer"))
        case (.real, _):
            return Double(sqlValue: value).map { .success(.real($0)) } ?? .failure(ValueProblem(value, "is not a number"))
        case (.boolean, .integer), (.boolean, .text):
            return Bool(sqlValue: value).map { .success(.bool($0)) } ?? .failure(ValueProblem(value, "is not a boolean (0 or 1)"))
        case (.bytes, .text(let text)):
            return .success(.blob(Array(text.utf8)))
        case (.timestamp, .text(let text)):
            guard Date(storageText: text) != nil else { return .failure(ValueProblem(value, "is not a date (yyyy-MM-dd HH:mm:ss.SSS)")) }
            return .success(.text(Self.hasOffset(text) ? text : text + "+00"))
        case (.timestamp, .date):
            return .success(value)
        default:
            return .failure(ValueProblem(value, "cannot go into a \(kind.rawValue) column"))
        }
    }

    /// Whether a date text already says its offset from UTC (`Z`, `+hh`, `-hh:mm`) after the
    /// time; SQLite's never does.
    static func hasOffset(_ text: String) -> Bool {
        let time = text.utf8.dropFirst(10)
        return time.contains(UInt8(ascii: "Z")) || time.contains(UInt8(ascii: "+")) || time.contains(UInt8(ascii: "-"))
    }

    /// Why a SQLite value could not be copied.
    struct ValueProblem: Error {
        let value: SQLValue
        let reason: String
        init(_ value: SQLValue, _ reason: String) {
            self.value = value
            self.reason = reason
        }
    }
}
