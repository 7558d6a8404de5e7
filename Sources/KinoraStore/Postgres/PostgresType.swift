import CKinoraPQ
import Foundation

/// A bound value as libpq takes it: its bytes (nil for NULL), its type, text or binary.
/// Integers, reals, booleans and dates carry their type, so an expression around a parameter
/// needs no cast; text goes untyped, so PostgreSQL reads it as whatever the column is (a
/// `timestamptz` compared with a date written as text, a `bigint` id given as text).
struct PostgresParameter {
    var bytes: [UInt8]?
    var type: Oid
    var binary = false

    init(_ value: SQLValue) {
        switch value {
        case .null: (bytes, type) = (nil, 0)
        case .integer(let number): (bytes, type) = (Array(String(number).utf8), PostgresType.int8)
        case .real(let number):
            let text = number.isNaN ? "NaN" : number.isInfinite ? (number > 0 ? "Infinity" : "-Infinity") : String(number)
            (bytes, type) = (Array(text.utf8), PostgresType.float8)
        case .text(let text): (bytes, type) = (Array(text.utf8), 0)
        case .blob(let data): (bytes, type, binary) = (data, PostgresType.bytea, true)
        case .date(let date): (bytes, type) = (Array((date.storageText + "+00").utf8), PostgresType.timestamptz)
        case .bool(let flag): (bytes, type) = (Array((flag ? "t" : "f").utf8), PostgresType.bool)
        }
    }
}

/// The type oids the store reads and binds (pg_type), and how a text result becomes a value.
enum PostgresType {
    static let bool: Oid = 16
    static let bytea: Oid = 17
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let oid: Oid = 26
    static let float4: Oid = 700
    static let float8: Oid = 701
    static let numeric: Oid = 1700
    static let timestamp: Oid = 1114
    static let timestamptz: Oid = 1184

    static func value(_ text: String, type: Oid) -> SQLValue {
        switch type {
        case bool: return .bool(text == "t")
        case int8, int2, int4, oid: return Int64(text).map(SQLValue.integer) ?? .text(text)
        case float4, float8, numeric: return Double(text).map(SQLValue.real) ?? .text(text)
        case timestamp, timestamptz: return Date(storageText: text).map(SQLValue.date) ?? .text(text)
        case bytea: return hexBytes(text).map(SQLValue.blob) ?? .text(text)
        default: return .text(text)
        }
    }

    /// bytea's text form, `\x` and two hex digits a byte.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }
}
