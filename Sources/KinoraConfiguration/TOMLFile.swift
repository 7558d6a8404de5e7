import TOMLKit

#if canImport(Glibc)
import Glibc
#endif

/// Reads a TOML file into a ``JSONValue`` so that it can be validated with ``JSONSchema``.
enum TOMLFile {
    static func read(_ path: String) throws(ConfigError) -> JSONValue {
        guard let bytes = SmallFile.read(path, limit: 1 << 20) else {
            let reason = access(path, F_OK) == 0 ? "cannot be read, or is larger than 1 MiB" : "no such file"
            throw ConfigError(file: path, reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, "is not valid UTF-8")
        }
        return try parse(text, file: path)
    }

    static func parse(_ text: String, file: String) throws(ConfigError) -> JSONValue {
        do {
            return convert(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw ConfigError(file: "\(file):\(error.source.begin.line):\(error.source.begin.column)", "TOML syntax error: \(error.description)")
        } catch {
            throw ConfigError(file: file, "TOML syntax error: \(error)")
        }
    }

    static func convert(_ value: any TOMLValueConvertible) -> JSONValue {
        switch value.type {
        case .table:
            guard let table = value.table else { return .null }
            var object: [String: JSONValue] = [:]
            for key in table.keys {
                if let child = table[key] { object[key] = convert(child) }
            }
            return .object(object)
        case .array:
            guard let array = value.array else { return .null }
            return .array(array.map { convert($0) })
        case .string: return value.string.map { .string($0) } ?? .null
        case .int: return value.int.map { .integer(Int64($0)) } ?? .null
        case .double: return value.double.map { .double($0) } ?? .null
        case .bool: return value.bool.map { .bool($0) } ?? .null
        // Dates have no JSON type: hand them on as their TOML text.
        case .date, .time, .dateTime: return .string(value.debugDescription)
        }
    }
}
