// A JSON value and a strict parser in the standard library alone. The kit used Foundation's
// JSONDecoder, which linked Foundation into every Swift plugin (13.7 MB stripped with
// -static-stdlib); this and JSONValueDecoder replace it.

/// A parsed JSON document. Integers that fit in `Int64` stay exact (`.integer`); every other
/// number is a `.double`.
///
/// ```swift
/// let value = try JSONValue(parsing: #"{"labels":[{"name":"spam","score":0.9}]}"#)
/// let score = value["labels"]?[0]?["score"]?.doubleValue  // 0.9
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Integers, and doubles with no fractional part that fit in `Int64`.
    public var intValue: Int64? {
        switch self {
        case .integer(let i): i
        case .double(let d): Int64(exactly: d)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// "an object", "a string", …: how error messages name what was found.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Why a text is not JSON: what was wrong and the byte offset where it was found.
///
/// ```swift
/// do { _ = try JSONValue(parsing: "{\"a\":}") } catch { print(error) }  // "unexpected '}' at byte 5"
/// ```
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
    public var description: String { "\(message) at byte \(offset)" }
}

extension JSONValue {
    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses `text` per RFC 8259: no comments, trailing commas, leading zeros, control
    /// characters in strings, lone surrogates, duplicate keys or trailing content.
    ///
    /// - Throws: ``JSONSyntaxError`` naming the first problem and its byte offset.
    public init(parsing text: String) throws(JSONSyntaxError) {
        var parser = JSONParser(bytes: Array(text.utf8))
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.pos == parser.bytes.count else { throw parser.fail("unexpected \(parser.found) after the value") }
        self = value
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var pos = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError { JSONSyntaxError(offset: offset ?? pos, message: message) }

    /// What sits at the current position, for messages: "'}'", "end of input".
    var found: String {
        guard pos < bytes.count else { return "end of input" }
        let b = bytes[pos]
        return (0x21..<0x7F).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + String(b, radix: 16)
    }

    func at(_ c: Unicode.Scalar) -> Bool { pos < bytes.count && bytes[pos] == UInt8(ascii: c) }
    func digit(_ offset: Int) -> Bool { offset < bytes.count && (0x30...0x39).contains(bytes[offset]) }

    mutating func eat(_ c: Unicode.Scalar) -> Bool {
        guard at(c) else { return false }
        pos += 1
        return true
    }

    mutating func skipSpace() {
        while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
    }

    mutating func value() throws(JSONSyntaxError) -> JSONValue {
        if at("{") { return try object() }
        if at("[") { return try array() }
        if at("\"") { return .string(try string()) }
        if at("-") || digit(pos) { return try number() }
        for (word, value) in [("true", JSONValue.bool(true)), ("false", .bool(false)), ("null", .null)] {
            let w = Array(word.utf8)
            if pos + w.count <= bytes.count && Array(bytes[pos..<pos + w.count]) == w {
                pos += w.count
                return value
            }
        }
        throw fail("unexpected \(found)")
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= JSONValue.maximumDepth else { throw fail("nesting deeper than \(JSONValue.maximumDepth) levels") }
        pos += 1
        skipSpace()
    }

    mutating func array() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var items: [JSONValue] = []
        if eat("]") { return .array(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            if eat(",") { continue }
            if eat("]") { return .array(items) }
            throw fail("expected ',' or ']' but found \(found)")
        }
    }

    mutating func object() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var members: [String: JSONValue] = [:]
        if eat("}") { return .object(members) }
        while true {
            skipSpace()
            guard at("\"") else { throw fail("expected a string key but found \(found)") }
            let keyOffset = pos
            let key = try string()
            // Which of two values wins differs between readers; refuse rather than guess.
            guard members[key] == nil else { throw fail("duplicate key \"\(key)\"", at: keyOffset) }
            skipSpace()
            guard eat(":") else { throw fail("expected ':' but found \(found)") }
            skipSpace()
            members[key] = try value()
            skipSpace()
            if eat(",") { continue }
            if eat("}") { return .object(members) }
            throw fail("expected ',' or '}' but found \(found)")
        }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                // The input was a Swift String (valid UTF-8) and escapes add whole scalars.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"): try escape(into: &out)
            case 0..<0x20: throw fail("control character 0x\(String(b, radix: 16)) in a string")
            default:
                out.append(b)
                pos += 1
            }
        }
        throw fail("unterminated string", at: start)
    }

    mutating func escape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        let start = pos
        pos += 1
        guard pos < bytes.count else { throw fail("unterminated string", at: start) }
        let b = bytes[pos]
        pos += 1
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(b)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xDC00...0xDFFF).contains(code) { throw fail("lone low surrogate", at: start) }
            if (0xD800...0xDBFF).contains(code) {
                guard eat("\\"), eat("u") else { throw fail("lone high surrogate", at: start) }
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone high surrogate", at: start) }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point", at: start) }
            out.append(contentsOf: String(Character(scalar)).utf8)
        default: throw fail("invalid escape in a string", at: start)
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count, let d = hexDigit(bytes[pos]) else { throw fail("expected 4 hex digits after \\u") }
            code = code << 4 | d
            pos += 1
        }
        return code
    }

    func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: UInt32(b - 0x30)
        case 0x41...0x46: UInt32(b - 0x41 + 10)
        case 0x61...0x66: UInt32(b - 0x61 + 10)
        default: nil
        }
    }

    mutating func digits() throws(JSONSyntaxError) {
        guard digit(pos) else { throw fail("expected a digit but found \(found)") }
        while digit(pos) { pos += 1 }
    }

    mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = pos
        _ = eat("-")
        if eat("0") {
            if digit(pos) { throw fail("leading zeros are not allowed", at: start) }
        } else {
            try digits()
        }
        var integral = true
        if eat(".") {
            integral = false
            try digits()
        }
        if eat("e") || eat("E") {
            integral = false
            if !eat("+") { _ = eat("-") }
            try digits()
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if integral, let i = Int64(text) { return .integer(i) }
        guard let d = Double(text), d.isFinite else { throw fail("number \(text) is out of range", at: start) }
        return .double(d)
    }
}
