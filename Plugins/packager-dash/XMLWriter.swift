/// A small indenting XML writer. Every attribute value and text node goes through `escape`,
/// so no input can break out of its attribute or element.
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    typealias Attribute = (name: String, value: String?)

    mutating func open(_ name: String, _ attributes: [Attribute] = []) {
        line("<\(name)\(Self.render(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func empty(_ name: String, _ attributes: [Attribute] = []) {
        line("<\(name)\(Self.render(attributes))/>")
    }

    mutating func element(_ name: String, _ attributes: [Attribute] = [], text: String) {
        line("<\(name)\(Self.render(attributes))>\(Self.escape(text))</\(name)>")
    }

    private mutating func line(_ s: String) {
        text += String(repeating: "  ", count: depth) + s + "\n"
    }

    private static func render(_ attributes: [Attribute]) -> String {
        attributes.compactMap { a in a.value.map { " \(a.name)=\"\(escape($0))\"" } }.joined()
    }

    /// Escapes the five XML specials and drops what XML 1.0 cannot carry at all (control
    /// characters other than tab and line breaks, which become spaces, and U+FFFE/U+FFFF).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
