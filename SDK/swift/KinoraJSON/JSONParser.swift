// The strict RFC 8259 reader behind JSONValue(parsing:).

// MARK: - Parsing

extension JSONValue {
    /// Nesting deeper than this is refused so hostile input cannot exhaust the stack.
    public static let maximumDepth = 256

    /// Parses `text` strictly per RFC 8259: no comments, trailing commas, leading zeros,
    /// unescaped control characters, lone surrogates, duplicate object keys or trailing
    /// content. Numbers too large for a `Double` are rejected rather than becoming infinity.
    public init(parsing text: String) throws(JSONParseError) {
        var parser = StrictJSONParser(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// Same as `init(parsing:)`.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: text)
    }
}

private struct StrictJSONParser {
    let bytes: [UInt8]
    var pos = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if pos < bytes.count { throw fail("unexpected \(describe(at: pos)) after the JSON value") }
        return value
    }

    func fail(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? pos, message: message)
    }

    func unexpected() -> JSONParseError { fail("unexpected \(describe(at: pos))") }

    /// "character 'x'", "character U+0001" or "end of input", for messages.
    func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let lead = bytes[offset]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        let slice = bytes[offset..<min(offset + length, bytes.count)]
        guard let scalar = String(decoding: slice, as: UTF8.self).unicodeScalars.first else { return "end of input" }
        if scalar.value < 0x20 || scalar.value == 0x7F { return "character U+" + jsonHex4(scalar.value) }
        return "character '\(Character(scalar))'"
    }

    func peek(_ c: Unicode.Scalar) -> Bool { pos < bytes.count && bytes[pos] == UInt8(ascii: c) }

    mutating func consume(_ c: Unicode.Scalar) -> Bool {
        guard peek(c) else { return false }
        pos += 1
        return true
    }

    func isDigit(at offset: Int) -> Bool { offset < bytes.count && (0x30...0x39).contains(bytes[offset]) }

    mutating func skipWhitespace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0A || bytes[pos] == 0x0D {
            pos += 1
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        if peek("{") { return try parseObject() }
        if peek("[") { return try parseArray() }
        if peek("\"") { return .string(try parseString()) }
        if peek("-") || isDigit(at: pos) { return try parseNumber() }
        let literal: (word: String, value: JSONValue)? =
            peek("t") ? ("true", .bool(true)) : peek("f") ? ("false", .bool(false)) : peek("n") ? ("null", .null) : nil
        guard let literal else { throw unexpected() }
        for c in literal.word.unicodeScalars {
            guard consume(c) else { throw unexpected() }
        }
        return literal.value
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > JSONValue.maximumDepth { throw fail("nesting deeper than \(JSONValue.maximumDepth) levels") }
        pos += 1
        skipWhitespace()
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        var items: [JSONValue] = []
        if consume("]") { return .array(items) }
        while true {
            skipWhitespace()
            if peek("]") { throw fail("trailing comma in array") }
            items.append(try parseValue())
            skipWhitespace()
            if consume(",") { continue }
            if consume("]") { return .array(items) }
            throw pos < bytes.count ? fail("expected ',' or ']' but found \(describe(at: pos))") : unexpected()
        }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        defer { depth -= 1 }
        var members: [String: JSONValue] = [:]
        if consume("}") { return .object(members) }
        while true {
            skipWhitespace()
            if peek("}") { throw fail("trailing comma in object") }
            guard peek("\"") else { throw fail("expected a string key but found \(describe(at: pos))") }
            let keyOffset = pos
            let key = try parseString()
            // Later-wins or first-wins would silently drop a setting; make the author pick one.
            if members[key] != nil { throw fail("duplicate key \(JSONValue.string(key).jsonString)", at: keyOffset) }
            skipWhitespace()
            guard consume(":") else { throw fail("expected ':' but found \(describe(at: pos))") }
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            if consume(",") { continue }
            if consume("}") { return .object(members) }
            throw pos < bytes.count ? fail("expected ',' or '}' but found \(describe(at: pos))") : unexpected()
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = pos
        pos += 1
        var buffer: [UInt8] = []
        while pos < bytes.count {
            let byte = bytes[pos]
            if byte == UInt8(ascii: "\"") {
                pos += 1
                // The input was a Swift String (valid UTF-8) and escapes only add whole
                // scalars, so decoding cannot substitute replacement characters.
                return String(decoding: buffer, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try parseEscape(into: &buffer)
            } else if byte < 0x20 {
                throw fail("unescaped control character U+\(jsonHex4(UInt32(byte))) in string")
            } else {
                buffer.append(byte)
                pos += 1
            }
        }
        throw fail("unterminated string", at: start)
    }

    mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        let start = pos
        pos += 1
        guard pos < bytes.count else { return }  // parseString reports the unterminated string
        let byte = bytes[pos]
        pos += 1
        let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
        if let decoded = simple[byte] { return buffer.append(decoded) }
        guard byte == UInt8(ascii: "u") else {
            let shown = (0x21..<0x7F).contains(byte) ? " '\\\(Character(UnicodeScalar(byte)))'" : ""
            throw fail("invalid escape\(shown) in string", at: start)
        }
        var code = try parseHex4()
        if (0xDC00...0xDFFF).contains(code) { throw fail("lone low surrogate \\u\(jsonHex4(code))", at: start) }
        if (0xD800...0xDBFF).contains(code) {
            let high = code
            guard consume("\\"), consume("u") else { throw fail("lone high surrogate \\u\(jsonHex4(high))", at: start) }
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone high surrogate \\u\(jsonHex4(high))", at: start) }
            code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        }
        // Unreachable after the surrogate checks, but cheaper to handle than to argue about.
        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid code point", at: start) }
        buffer.append(contentsOf: String(scalar).utf8)
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count, let digit = UInt32(String(UnicodeScalar(bytes[pos])), radix: 16) else {
                throw fail("expected 4 hex digits after \\u but found \(describe(at: pos))")
            }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }

    mutating func skipDigits() throws(JSONParseError) {
        guard isDigit(at: pos) else { throw fail("expected a digit but found \(describe(at: pos))") }
        while isDigit(at: pos) { pos += 1 }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        _ = consume("-")
        if consume("0") {
            if isDigit(at: pos) { throw fail("leading zeros are not allowed", at: start) }
        } else {
            try skipDigits()
        }
        var integral = true
        if consume(".") {
            integral = false
            try skipDigits()
        }
        if consume("e") || consume("E") {
            integral = false
            if !consume("+") { _ = consume("-") }
            try skipDigits()
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if integral, let i = Int64(text) { return .integer(i) }
        guard let d = Double(text), d.isFinite else { throw fail("number \(text) is out of range", at: start) }
        return .double(d)
    }
}

private func jsonHex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
