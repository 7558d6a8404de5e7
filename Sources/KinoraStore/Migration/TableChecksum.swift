import Foundation

/// A checksum of a table's rows that SQLite and PostgreSQL compute alike: each value is
/// written canonically for its column's kind (a date as whole milliseconds since 1970, a
/// boolean as one byte, a real by its bits, text as UTF-8), each row hashed with FNV-1a 64 and
/// mixed, and the row hashes added. The sum does not depend on row order, on purpose: the two
/// engines order text differently (SQLite by bytes, PostgreSQL by the database's collation),
/// so "ordered by primary key" would not mean the same rows in the same order on both sides.
/// Primary keys make every row distinct, so a lost, added or altered row changes the sum.
struct TableChecksum: Sendable, Equatable, CustomStringConvertible {
    private(set) var rows = 0
    private(set) var sum: UInt64 = 0

    var description: String { String(sum, radix: 16) }

    mutating func add(_ values: [SQLValue], kinds: [CopyColumn.Kind]) {
        var hash = Self.offsetBasis
        for (value, kind) in zip(values, kinds) { Self.write(value, kind, into: &hash) }
        sum &+= Self.mixed(hash)
        rows += 1
    }

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    private static func write(_ value: SQLValue, _ kind: CopyColumn.Kind, into hash: inout UInt64) {
        if value == .null {
            byte(0, into: &hash)
            return
        }
        switch kind {
        case .text:
            bytes(1, Array((String(sqlValue: value) ?? "").utf8), into: &hash)
        case .integer:
            if let number = Int64(sqlValue: value) { word(2, UInt64(bitPattern: number), into: &hash) } else { other(value, into: &hash) }
        case .real:
            if let number = Double(sqlValue: value) { word(3, number.bitPattern, into: &hash) } else { other(value, into: &hash) }
        case .boolean:
            if let flag = Bool(sqlValue: value) { word(4, flag ? 1 : 0, into: &hash) } else { other(value, into: &hash) }
        case .timestamp:
            if let date = Date(sqlValue: value) {
                let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
                word(5, UInt64(bitPattern: millis), into: &hash)
            } else {
                other(value, into: &hash)
            }
        case .bytes:
            bytes(6, [UInt8](sqlValue: value) ?? [], into: &hash)
        }
    }

    /// A value its column's kind cannot read: hashed as its text, under a tag of its own, so it
    /// still counts (and differs from any well-formed value).
    private static func other(_ value: SQLValue, into hash: inout UInt64) {
        bytes(7, Array("\(value)".utf8), into: &hash)
    }

    private static func byte(_ value: UInt8, into hash: inout UInt64) {
        hash = (hash ^ UInt64(value)) &* prime
    }

    private static func word(_ tag: UInt8, _ value: UInt64, into hash: inout UInt64) {
        byte(tag, into: &hash)
        for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: value >> UInt64(shift)), into: &hash) }
    }

    /// Length first, so two neighbouring texts cannot trade characters unnoticed.
    private static func bytes(_ tag: UInt8, _ content: [UInt8], into hash: inout UInt64) {
        word(tag, UInt64(content.count), into: &hash)
        for value in content { byte(value, into: &hash) }
    }

    /// FNV's last bytes barely reach its high bits; a finaliser (SplitMix64's) spreads every
    /// bit before the hashes are added.
    private static func mixed(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
