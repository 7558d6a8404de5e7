import Foundation

/// Serializes the JSON-ready values the routes build (`[String: Any]`, arrays, strings,
/// numbers, booleans, `NSNull`) with keys in byte order and `/` left unescaped.
/// Foundation's `JSONSerialization` with `.sortedKeys` compares keys through ICU collation;
/// a catalog page of 20 videos spent most of its ~10 ms there (perf), this takes a fraction.
enum JSONWriter {
    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    static func data(_ value: Any) throws -> Data { Data(try bytes(value)) }

    static func bytes(_ value: Any) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        try write(value, into: &out)
        return out
    }

    static func write(_ value: Any, into out: inout [UInt8]) throws {
        // The common leaves by exact type first: comparing metadata is one load, while each
        // failed `as` cast in a switch is a runtime call (casts were a tenth of a catalog
        // listing's CPU).
        let type = type(of: value)
        if type == String.self {
            writeString(value as! String, into: &out)
            return
        }
        if type == Int.self {
            out.append(contentsOf: String(value as! Int).utf8)
            return
        }
        if type == Bool.self {
            out.append(contentsOf: (value as! Bool) ? "true".utf8 : "false".utf8)
            return
        }
        if type == Double.self {
            let double = value as! Double
            out.append(contentsOf: double.isFinite ? numberText(double).utf8 : "null".utf8)
            return
        }
        switch value {
        // Containers before any class check: casting a Swift dictionary or array to NSNumber
        // or NSNull first bridges it to Foundation, which cost more than all the writing.
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            // `<` on Strings is code point order for these (NFC) keys, as UTF-8 bytes are,
            // and takes a fast path that comparing the UTF-8 views does not.
            // Pairs sorted, not keys sorted and then looked up: no hashing per member.
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let string as String:
            writeString(string, into: &out)
        case let bool as Bool where type == Bool.self:
            out.append(contentsOf: bool ? "true".utf8 : "false".utf8)
        case let int as Int:
            out.append(contentsOf: String(int).utf8)
        case let int as Int64:
            out.append(contentsOf: String(int).utf8)
        case let int as Int32:
            out.append(contentsOf: String(int).utf8)
        case let double as Double:
            out.append(contentsOf: double.isFinite ? numberText(double).utf8 : "null".utf8)
        case is NSNull:
            out.append(contentsOf: "null".utf8)
        case let number as NSNumber:
            // Values parsed by JSONSerialization arrive as NSNumber: booleans say so by type.
            if String(cString: number.objCType) == "c" {
                out.append(contentsOf: number.boolValue ? "true".utf8 : "false".utf8)
            } else if Double(number.int64Value) == number.doubleValue {
                out.append(contentsOf: String(number.int64Value).utf8)
            } else {
                out.append(contentsOf: numberText(number.doubleValue).utf8)
            }
        default:
            throw Unsupported(description: "cannot write \(type) as JSON")
        }
    }

    static func numberText(_ double: Double) -> String {
        if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
        return String(double)
    }

    static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied whole, from contiguous storage.
        var string = string
        let plain = string.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
