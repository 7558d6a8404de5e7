/// A JSON document as plain data, in the standard library alone (no Foundation), so the
/// daemon's configuration, the Swift plugin kit and the conformance suites read JSON with one
/// parser and plugins stay small.
///
/// ```swift
/// let value = try JSONValue(parsing: #"{"labels":[{"name":"spam","score":0.9}]}"#)
/// let score = value["labels"]?[0]?["score"]?.doubleValue  // 0.9
/// ```
///
/// Numbers keep the distinction the text made: a number written without fraction or exponent
/// that fits in `Int64` is `.integer`, every other number is `.double`. Equality and hashing
/// are structural, so `.integer(1) != .double(1.0)`; schema validation compares numbers by
/// value instead.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// Why a JSON text was rejected. `offset` is a byte offset into the UTF-8 text; `description`
/// reads like "unexpected character 'x' at offset 12".
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let offset: Int
    public let message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at offset \(offset)" }
}

// MARK: - Accessors

extension JSONValue {
    /// The JSON Schema name of this value's type, as used in validation messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The member named `key` when this is an object; nil otherwise or when absent.
    /// The kind with its article, for messages that read as a sentence: "expected an
    /// integer, found a string".
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

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    public var isNull: Bool { self == .null }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// An `.integer`, or a `.double` with no fractional part that fits in `Int64`, because TOML
    /// and hand-written JSON often spell whole numbers as `2.0`.
    public var intValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .double(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    /// Any number as a `Double` (large integers may lose precision).
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
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
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A repeated key keeps its last value, as most JSON readers would.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

// MARK: - Serialization

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonString }

    /// Compact JSON with object keys sorted, so equal values always serialize identically
    /// (stable config hashes, readable diffs). Non-finite doubles, which JSON cannot express,
    /// become `null`.
    public var jsonString: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .double(let d):
            // Swift's description is the shortest text that round-trips, and its forms
            // ("2.0", "1e-07", "1.5e+300") are all valid JSON numbers.
            out += d.isFinite ? d.description : "null"
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                members[key]?.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                out += "\\u00" + hexDigit(scalar.value >> 4) + hexDigit(scalar.value & 0xF)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func hexDigit(_ v: UInt32) -> String {
        String(UnicodeScalar(UInt8(v < 10 ? 48 + v : 87 + v)))
    }
}
