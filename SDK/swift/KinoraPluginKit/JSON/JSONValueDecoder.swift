// A Decoder over JSONValue, so `Settings: Decodable` and the packager presentation decode
// with the standard library alone. Errors are the standard DecodingError values with their
// coding paths, so messages can name the key ("settings.root: required key is missing").

/// Decodes `Decodable` values from JSON text or a parsed ``JSONValue``.
///
/// ```swift
/// struct Settings: Decodable { var root: String; var fsync: Bool? }
/// let settings = try JSONValueDecoder().decode(Settings.self, from: #"{"root":"/srv/media"}"#)
/// ```
///
/// Unknown keys are ignored; integers must be exact (1.5 is not an `Int`); a missing key or a
/// wrong type throws `DecodingError` whose context holds the coding path.
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// - Throws: `DecodingError.dataCorrupted` with an empty path when `json` does not parse
    ///   (its underlying error is the ``JSONParseError``), or any other `DecodingError`.
    public func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: json)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: error.description, underlyingError: error))
        }
        return try decode(type, from: value)
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value, path: []).unbox(value, as: type, path: [])
    }

    /// "a string", "an integer", "an array", …: how messages name the type a key must have.
    public static func typeName(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean" }
        if type == Double.self || type == Float.self { return "a number" }
        if type is any FixedWidthInteger.Type { return "an integer" }
        let name = "\(type)"
        if name.hasPrefix("Array<") || (name.hasPrefix("[") && !name.contains(":")) { return "an array" }
        return "an object"
    }
}

/// A key into an array, for coding paths ("renditions[2]").
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

final class ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, path: [any CodingKey]) {
        self.value = value
        codingPath = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self, value, codingPath) }
        return UnkeyedContainer(decoder: self, items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self, codingPath: codingPath) }

    func mismatch(_ type: Any.Type, _ found: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if found == .null {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "expected \(JSONValueDecoder.typeName(type)), found null"))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(JSONValueDecoder.typeName(type)), found \(found.kindName)"))
    }

    /// Primitives are read here; everything else decodes itself from a nested decoder.
    func unbox<T: Decodable>(_ v: JSONValue, as type: T.Type, path: [any CodingKey]) throws -> T {
        switch type {
        case is String.Type:
            guard case .string(let s) = v else { throw mismatch(type, v, path) }
            return s as! T
        case is Bool.Type:
            guard case .bool(let b) = v else { throw mismatch(type, v, path) }
            return b as! T
        case is Double.Type:
            guard let d = v.doubleValue else { throw mismatch(type, v, path) }
            return d as! T
        case is Float.Type:
            guard let d = v.doubleValue else { throw mismatch(type, v, path) }
            return Float(d) as! T
        case let t as Int.Type: return try integer(v, t, path) as! T
        case let t as Int8.Type: return try integer(v, t, path) as! T
        case let t as Int16.Type: return try integer(v, t, path) as! T
        case let t as Int32.Type: return try integer(v, t, path) as! T
        case let t as Int64.Type: return try integer(v, t, path) as! T
        case let t as UInt.Type: return try integer(v, t, path) as! T
        case let t as UInt8.Type: return try integer(v, t, path) as! T
        case let t as UInt16.Type: return try integer(v, t, path) as! T
        case let t as UInt32.Type: return try integer(v, t, path) as! T
        case let t as UInt64.Type: return try integer(v, t, path) as! T
        default: return try T(from: ValueDecoder(v, path: path))
        }
    }

    func integer<I: FixedWidthInteger>(_ v: JSONValue, _ type: I.Type, _ path: [any CodingKey]) throws -> I {
        let exact: I?
        switch v {
        case .integer(let i): exact = I(exactly: i)
        case .double(let d): exact = I(exactly: d)
        default: throw mismatch(type, v, path)
        }
        guard let exact else {
            let shown: String = if case .integer(let i) = v { "\(i)" } else { "\(v.doubleValue ?? 0)" }
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "number \(shown) is not \(I.self)"))
        }
        return exact
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func member(_ key: Key) throws -> JSONValue {
        guard let v = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required key \"\(key.stringValue)\" is missing"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    func value<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try decoder.unbox(try member(key), as: type, path: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(type, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(type, key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(try member(key), path: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(try member(key), path: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(members["super"] ?? .null, path: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(members[key.stringValue] ?? .null, path: codingPath + [key]) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: ValueDecoder
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(decoder: ValueDecoder, items: [JSONValue], codingPath: [any CodingKey]) {
        self.decoder = decoder
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next(_ type: Any.Type) throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else { throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "the array has no more elements")) }
        defer { currentIndex += 1 }
        return (items[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func element<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, path) = try next(type)
        return try decoder.unbox(v, as: type, path: path)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try element(type) }
    mutating func decode(_ type: String.Type) throws -> String { try element(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try element(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try element(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try element(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try element(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try element(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try element(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try element(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try element(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try element(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try element(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try element(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try element(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try element(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, path) = try next([String: JSONValue].self)
        return try ValueDecoder(v, path: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, path) = try next([JSONValue].self)
        return try ValueDecoder(v, path: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, path) = try next(JSONValue.self)
        return ValueDecoder(v, path: path)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { decoder.value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.unbox(decoder.value, as: type, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unbox(decoder.value, as: type, path: codingPath) }
}
