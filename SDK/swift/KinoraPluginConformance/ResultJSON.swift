// A small JSON reader for what the suites check in plugin results (moderation verdicts).
// The library depends on nothing but the ABI, so it carries its own rather than the kit's.

enum ResultJSON: Equatable {
    case null, bool(Bool), number(Double), string(String), array([ResultJSON]), object([String: ResultJSON])

    subscript(key: String) -> ResultJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    static func parse(_ text: String) throws -> ResultJSON {
        var reader = Reader(bytes: Array(text.utf8))
        let value = try reader.value(depth: 0)
        reader.space()
        guard reader.pos == reader.bytes.count else { throw reader.fail("text after the value") }
        return value
    }

    struct Reader {
        let bytes: [UInt8]
        var pos = 0

        func fail(_ what: String) -> ConformanceFailure { ConformanceFailure("not JSON: \(what) at byte \(pos)") }

        mutating func space() { while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 } }

        mutating func eat(_ c: Unicode.Scalar) -> Bool {
            space()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: c) else { return false }
            pos += 1
            return true
        }

        mutating func literal(_ word: String, _ value: ResultJSON) throws -> ResultJSON {
            let w = Array(word.utf8)
            guard pos + w.count <= bytes.count, Array(bytes[pos..<pos + w.count]) == w else { throw fail("unexpected input") }
            pos += w.count
            return value
        }

        mutating func value(depth: Int) throws -> ResultJSON {
            guard depth < 128 else { throw fail("nesting too deep") }
            space()
            guard pos < bytes.count else { throw fail("unexpected end") }
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var members: [String: ResultJSON] = [:]
                if eat("}") { return .object(members) }
                repeat {
                    space()
                    let key = try string()
                    guard eat(":") else { throw fail("expected ':'") }
                    members[key] = try value(depth: depth + 1)
                } while eat(",")
                guard eat("}") else { throw fail("expected ',' or '}'") }
                return .object(members)
            case UInt8(ascii: "["):
                pos += 1
                var items: [ResultJSON] = []
                if eat("]") { return .array(items) }
                repeat { items.append(try value(depth: depth + 1)) } while eat(",")
                guard eat("]") else { throw fail("expected ',' or ']'") }
                return .array(items)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default:
                let start = pos
                while pos < bytes.count, "+-.eE0123456789".utf8.contains(bytes[pos]) { pos += 1 }
                guard let d = Double(String(decoding: bytes[start..<pos], as: UTF8.self)), d.isFinite else { throw fail("bad number") }
                return .number(d)
            }
        }

        mutating func string() throws -> String {
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            pos += 1
            var out: [UInt8] = []
            while pos < bytes.count {
                let b = bytes[pos]
                pos += 1
                if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard b >= 0x20 else { throw fail("control character in a string") }
                guard b == UInt8(ascii: "\\") else {
                    out.append(b)
                    continue
                }
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard pos + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[pos..<pos + 4], as: UTF8.self), radix: 16) else {
                        throw fail("bad \\u escape")
                    }
                    pos += 4
                    // Surrogate pairs are kept as U+FFFD: the suites only compare names.
                    out.append(contentsOf: String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                default: throw fail("bad escape")
                }
            }
            throw fail("unterminated string")
        }
    }
}
