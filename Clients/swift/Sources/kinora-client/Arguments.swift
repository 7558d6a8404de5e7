import Foundation

/// The command line after the command's name: positional words, `--name value` (or
/// `--name=value`) options and `--flag`s. Each command says which names it knows, so a typo
/// is refused by name instead of silently ignored.
struct Arguments {
    private(set) var positional: [String] = []
    private var options: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ words: ArraySlice<String>, options known: Set<String>, flags knownFlags: Set<String> = []) throws {
        var words = words[...]
        while let word = words.popFirst() {
            guard word.hasPrefix("--") else {
                positional.append(word)
                continue
            }
            let parts = word.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts.first ?? ""
            if knownFlags.contains(name), parts.count == 1 {
                flags.insert(name)
            } else if known.contains(name) {
                if parts.count == 2 {
                    options[name] = parts[1]
                } else if let value = words.popFirst() {
                    options[name] = value
                } else {
                    throw UsageError("--\(name) needs a value")
                }
            } else {
                throw UsageError("unknown option \(word)")
            }
        }
    }

    subscript(option name: String) -> String? { options[name] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// `--name N`, a whole number within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = options[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return value
    }

    /// Exactly `count` positional words, named in the message when missing.
    func expectPositional(_ names: [String]) throws -> [String] {
        guard positional.count == names.count else {
            if positional.count < names.count { throw UsageError("missing \(names[positional.count])") }
            throw UsageError("unexpected argument \"\(positional[names.count])\"")
        }
        return positional
    }
}

/// Bad command-line input: printed with the usage and exit status 64 (EX_USAGE).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Anything else the user should read, exit status 1.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
