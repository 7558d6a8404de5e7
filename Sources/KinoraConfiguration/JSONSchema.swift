import Foundation

/// A plugin's settings schema: a small, strict subset of JSON Schema (draft 2020-12 semantics).
///
/// The host validates each instance's `[settings]` table against it, fills in defaults and
/// hands the result to the plugin. The schema itself is checked when the plugin loads, so a
/// mistake in it is reported to the plugin author instead of being silently ignored.
///
/// Supported keywords:
/// - `type`: a type name or an array of them: `"null"`, `"boolean"`, `"integer"`, `"number"`,
///   `"string"`, `"array"`, `"object"`. `"number"` accepts integers. `"integer"` also accepts
///   whole doubles such as `2.0` (TOML and hand-written JSON produce those), and when `"number"`
///   is not also allowed the plugin receives them as integers.
/// - `properties`, `required`, `additionalProperties` (boolean or schema; absent means any key is
///   allowed, so set it to `false` to catch misspelled settings).
/// - `enum`, `const`: compared by value, so `1` equals `1.0`.
/// - `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`: numbers (the draft-04 boolean
///   form of the exclusive keywords is rejected).
/// - `minLength`, `maxLength`: counted in Unicode code points, as JSON Schema specifies.
/// - `pattern`: a regular expression searched anywhere in the string (anchor it with `^…$` to
///   match the whole value). It is evaluated by Swift's `Regex` (not `NSRegularExpression`,
///   which loads ICU's data: megabytes of resident memory for every daemon), whose syntax
///   agrees with ECMAScript for ordinary patterns: classes, quantifiers, groups, anchors, `\d \w \s`.
/// - `items` (one schema for every element; the tuple form is not supported), `minItems`,
///   `maxItems`, `uniqueItems`.
/// - `default`: must itself be valid. A property that is absent from an object is set to its
///   `default`, and then counts as present for `required`.
/// - `true` and `false` may stand for a schema that accepts everything or nothing.
///
/// Accepted and ignored: `$schema`, `$id`, `$comment`, `title`, `description`, `examples`, and
/// `format` (not checked: the formats are loosely specified and a plugin should check the
/// ones it depends on itself). Any other keyword (`$ref`, `oneOf`, `if`, …) is an error.
public struct JSONSchema: Sendable {
    /// The schema as the plugin wrote it.
    public let source: JSONValue
    private let root: SchemaNode

    public static let supportedKeywords: [String] = [
        "type", "properties", "required", "additionalProperties", "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "pattern", "default", "items", "minItems", "maxItems", "uniqueItems",
    ]
    public static let ignoredKeywords: [String] = [
        "$schema", "$id", "$comment", "title", "description", "examples", "format",
    ]

    /// Checks `schema` and throws every problem found in it, each with the path of the
    /// offending schema object (for example `properties.root.pattern`).
    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        var problems: [JSONSchemaViolation] = []
        let root = SchemaNode(schema, path: "", problems: &problems)
        guard problems.isEmpty else { throw JSONSchemaError(problems: problems) }
        self.source = schema
        self.root = root
    }

    /// Parses the JSON text and checks it as a schema.
    public init(parsing text: String) throws(JSONSchemaError) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw JSONSchemaError(problems: [JSONSchemaViolation(path: "", message: "not valid JSON: \(error)")])
        }
        try self.init(json)
    }

    /// The outcome of validating one value.
    public struct ValidationResult: Sendable {
        /// The input with defaults filled in (and whole doubles made integers where the schema
        /// asks for integers). Meaningful only when `violations` is empty.
        public let value: JSONValue
        /// Every problem found, in a stable order.
        public let violations: [JSONSchemaViolation]
        public var isValid: Bool { violations.isEmpty }
    }

    /// Validates `value`, collecting all violations rather than stopping at the first.
    /// `path` prefixes every violation path, so `validate(settings, at: "settings")` reports
    /// `settings.servers[2].host`.
    public func validate(_ value: JSONValue, at path: String = "") -> ValidationResult {
        var context = ValidationContext()
        let filled = root.validate(value, path: path, &context)
        return ValidationResult(value: filled, violations: context.violations)
    }
}

/// One problem, located by a key path: `""` for the root, `part_size`, `servers[2].host`.
/// Keys that are not TOML bare keys (`A-Z a-z 0-9 _ -`) are quoted: `labels["a.b"]`.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// The problems that make a schema unusable.
public struct JSONSchemaError: Error, Sendable, CustomStringConvertible {
    public let problems: [JSONSchemaViolation]

    public init(problems: [JSONSchemaViolation]) { self.problems = problems }

    public var description: String {
        var text = "invalid JSON Schema: " + problems.map(\.description).joined(separator: "; ")
        if problems.contains(where: { $0.message.hasPrefix("unsupported keyword") }) {
            text += " (supported: \(JSONSchema.supportedKeywords.joined(separator: ", ")))"
        }
        return text
    }
}

// MARK: - Paths and comparisons

extension JSONSchema {
    static func path(_ base: String, key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
            }
        if !plain { return base + "[" + JSONValue.string(key).jsonString + "]" }
        return base.isEmpty ? key : base + "." + key
    }

    static func path(_ base: String, index: Int) -> String { base + "[\(index)]" }

    /// Orders two numbers exactly, even an `Int64` beyond 2^53 against a `Double`.
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.double(let x), .double(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.integer(let x), .double(let y)): return compare(x, y)
        case (.double(let x), .integer(let y)): return compare(y, x).map { -$0 }
        default: return nil
        }
    }

    private static func compare(_ i: Int64, _ d: Double) -> Int? {
        if d.isNaN { return nil }
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = d.rounded(.down)
        let w = Int64(whole)  // in range: checked above
        if i != w { return i < w ? -1 : 1 }
        return d > whole ? -1 : 0
    }

    /// JSON Schema equality: numbers by value, objects regardless of key order.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, v in y[key].map { equal(v, $0) } ?? false }
        default:
            return compare(a, b).map { $0 == 0 } ?? (a == b)
        }
    }
}

// MARK: - Compiled schema

/// Per-call scratch space. Regexes are compiled here rather than stored in the schema because
/// `Regex` is not `Sendable`; validation runs only at load time, so compiling once per call is
/// cheap.
private struct ValidationContext {
    var violations: [JSONSchemaViolation] = []
    var regexes: [String: Regex<AnyRegexOutput>?] = [:]

    mutating func report(_ path: String, _ message: String) {
        violations.append(JSONSchemaViolation(path: path, message: message))
    }

    mutating func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let cached = regexes[pattern] { return cached }
        let compiled = try? Regex(pattern)
        regexes[pattern] = compiled
        return compiled
    }
}

private let schemaTypeNames: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

private final class SchemaNode: Sendable {
    let rejectsEverything: Bool
    let types: [String]?
    let properties: [String: SchemaNode]
    let required: Set<String>
    let additionalProperties: SchemaNode?
    let enumValues: [JSONValue]?
    let constValue: JSONValue?
    let minimum, maximum, exclusiveMinimum, exclusiveMaximum: JSONValue?
    let minLength, maxLength, minItems, maxItems: Int?
    let pattern: String?
    let items: SchemaNode?
    let uniqueItems: Bool
    let defaultValue: JSONValue?

    // Reads every keyword even after a problem, so the author sees all mistakes at once.
    init(_ json: JSONValue, path: String, problems: inout [JSONSchemaViolation]) {
        let firstProblem = problems.count
        func problem(_ keyword: String?, _ message: String) {
            let at = keyword.map { JSONSchema.path(path, key: $0) } ?? path
            problems.append(JSONSchemaViolation(path: at, message: message))
        }
        func subschema(_ keyword: String, _ value: JSONValue) -> SchemaNode {
            SchemaNode(value, path: JSONSchema.path(path, key: keyword), problems: &problems)
        }
        func number(_ keyword: String, _ value: JSONValue?) -> JSONValue? {
            guard let value else { return nil }
            if value.doubleValue != nil { return value }
            let hint = value.boolValue != nil && keyword.hasPrefix("exclusive") ? " (the draft-04 boolean form is not supported)" : ""
            problem(keyword, "must be a number, found \(value.typeName)\(hint)")
            return nil
        }
        func count(_ keyword: String, _ value: JSONValue?) -> Int? {
            guard let value else { return nil }
            if let n = value.intValue, n >= 0, let result = Int(exactly: n) { return result }
            problem(keyword, "must be a non-negative integer, found \(value.jsonString)")
            return nil
        }
        func ordered(_ low: String, _ lowValue: JSONValue?, _ high: String, _ highValue: JSONValue?) {
            if let l = lowValue, let h = highValue, let order = JSONSchema.compare(l, h), order > 0 {
                problem(nil, "\(low) (\(l.jsonString)) is greater than \(high) (\(h.jsonString))")
            }
        }

        let keywords: [String: JSONValue]
        switch json {
        case .object(let members): (keywords, rejectsEverything) = (members, false)
        case .bool(let accept): (keywords, rejectsEverything) = ([:], !accept)
        default:
            problem(nil, "a schema must be an object or a boolean, found \(json.typeName)")
            (keywords, rejectsEverything) = ([:], false)
        }

        for key in keywords.keys.sorted() where !JSONSchema.supportedKeywords.contains(key) {
            if !JSONSchema.ignoredKeywords.contains(key) {
                problem(nil, "unsupported keyword \(JSONValue.string(key).jsonString)")
            } else if key == "examples" ? keywords[key]?.arrayValue == nil : keywords[key]?.stringValue == nil {
                problem(key, "must be \(key == "examples" ? "an array" : "a string"), found \(keywords[key]?.typeName ?? "")")
            }
        }

        switch keywords["type"] {
        case nil: types = nil
        case .string(let name) where schemaTypeNames.contains(name): types = [name]
        case .array(let names)
        where !names.isEmpty && names.allSatisfy({ $0.stringValue.map(schemaTypeNames.contains) ?? false })
            && Set(names).count == names.count:
            types = names.compactMap(\.stringValue)
        case let other?:
            problem(
                "type",
                "must be one of \(schemaTypeNames.sorted().joined(separator: ", ")) or a non-empty array of distinct ones, found \(other.jsonString)")
            types = nil
        }

        var properties: [String: SchemaNode] = [:]
        if let value = keywords["properties"] {
            if case .object(let members) = value {
                for (name, sub) in members.sorted(by: { $0.key < $1.key }) {
                    properties[name] = SchemaNode(
                        sub, path: JSONSchema.path(JSONSchema.path(path, key: "properties"), key: name), problems: &problems)
                }
            } else {
                problem("properties", "must be an object, found \(value.typeName)")
            }
        }
        self.properties = properties

        var required: [String] = []
        if let value = keywords["required"] {
            if let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count, Set(names).count == names.count {
                required = names
            } else {
                problem("required", "must be an array of distinct strings, found \(value.jsonString)")
            }
        }
        self.required = Set(required)

        additionalProperties = keywords["additionalProperties"].map { subschema("additionalProperties", $0) }
        if additionalProperties?.rejectsEverything == true {
            for name in required where properties[name] == nil {
                problem("required", "\(JSONValue.string(name).jsonString) is required but not in properties, and additionalProperties is false")
            }
        }

        switch keywords["enum"] {
        case .array(let values) where !values.isEmpty: enumValues = values
        case nil: enumValues = nil
        case let other?:
            problem("enum", "must be a non-empty array, found \(other.jsonString)")
            enumValues = nil
        }
        constValue = keywords["const"]

        minimum = number("minimum", keywords["minimum"])
        maximum = number("maximum", keywords["maximum"])
        exclusiveMinimum = number("exclusiveMinimum", keywords["exclusiveMinimum"])
        exclusiveMaximum = number("exclusiveMaximum", keywords["exclusiveMaximum"])
        ordered("minimum", minimum, "maximum", maximum)
        minLength = count("minLength", keywords["minLength"])
        maxLength = count("maxLength", keywords["maxLength"])
        ordered("minLength", keywords["minLength"], "maxLength", keywords["maxLength"])
        minItems = count("minItems", keywords["minItems"])
        maxItems = count("maxItems", keywords["maxItems"])
        ordered("minItems", keywords["minItems"], "maxItems", keywords["maxItems"])

        switch keywords["pattern"] {
        case nil: pattern = nil
        case .string(let p):
            if (try? Regex(p)) == nil {
                problem("pattern", "invalid regular expression \(JSONValue.string(p).jsonString)")
            }
            pattern = p
        case let other?:
            problem("pattern", "must be a string, found \(other.typeName)")
            pattern = nil
        }

        switch keywords["items"] {
        case nil: items = nil
        case .array?:
            problem("items", "must be a single schema (the array form is not supported)")
            items = nil
        case let value?: items = subschema("items", value)
        }

        switch keywords["uniqueItems"] {
        case nil: uniqueItems = false
        case .bool(let b)?: uniqueItems = b
        case let other?:
            problem("uniqueItems", "must be a boolean, found \(other.typeName)")
            uniqueItems = false
        }

        defaultValue = keywords["default"]
        // A broken schema would give misleading verdicts on its own default.
        if let defaultValue, problems.count == firstProblem {
            var context = ValidationContext()
            _ = validate(defaultValue, path: "", &context)
            for v in context.violations {
                problem("default", "default is invalid: \(v.description)")
            }
        }
    }

    func validate(_ value: JSONValue, path: String, _ context: inout ValidationContext) -> JSONValue {
        var value = value
        if rejectsEverything {
            context.report(path, "no value is allowed here")
            return value
        }
        if let types {
            guard types.contains(where: { Self.value(value, hasType: $0) }) else {
                context.report(path, "expected \(types.joined(separator: " or ")), found \(value.typeName)")
                return value
            }
            // Plugins that declared an integer should not have to cope with "2.0".
            if case .double = value, types.contains("integer"), !types.contains("number"), let i = value.intValue {
                value = .integer(i)
            }
        }
        if let enumValues, !enumValues.contains(where: { JSONSchema.equal($0, value) }) {
            let choices = enumValues.map(\.jsonString)
            context.report(path, choices.count == 1 ? "must be \(choices[0])" : "must be one of \(choices.joined(separator: ", "))")
        }
        if let constValue, !JSONSchema.equal(constValue, value) {
            context.report(path, "must be \(constValue.jsonString)")
        }

        switch value {
        case .double(let d) where !d.isFinite:
            // Only reachable from values built in code (TOML has nan and inf); JSON has no such number.
            context.report(path, "must be a finite number")
        case .integer, .double:
            let found = value.jsonString
            let bounds: [(JSONValue?, String, (Int) -> Bool)] = [
                (minimum, "≥", { $0 >= 0 }), (maximum, "≤", { $0 <= 0 }),
                (exclusiveMinimum, ">", { $0 > 0 }), (exclusiveMaximum, "<", { $0 < 0 }),
            ]
            for case (let bound?, let symbol, let ok) in bounds {
                if let order = JSONSchema.compare(value, bound), !ok(order) {
                    context.report(path, "must be \(symbol) \(bound.jsonString) (found \(found))")
                }
            }
        case .string(let s):
            let length = s.unicodeScalars.count
            if let minLength, length < minLength {
                context.report(path, "must be at least \(Self.plural(minLength, "character"))")
            }
            if let maxLength, length > maxLength {
                context.report(path, "must be at most \(Self.plural(maxLength, "character"))")
            }
            // init compiled the pattern once already, so a nil regex cannot happen here.
            if let pattern, context.regex(pattern).map({ s.firstMatch(of: $0) == nil }) ?? true {
                context.report(path, "does not match pattern \(pattern)")
            }
        case .array(let elements):
            if let minItems, elements.count < minItems {
                context.report(path, "must have at least \(Self.plural(minItems, "item"))")
            }
            if let maxItems, elements.count > maxItems {
                context.report(path, "must have at most \(Self.plural(maxItems, "item"))")
            }
            if uniqueItems {
                outer: for (i, element) in elements.enumerated() {
                    for j in 0..<i where JSONSchema.equal(elements[j], element) {
                        context.report(path, "items must be unique ([\(i)] repeats [\(j)])")
                        break outer
                    }
                }
            }
            if let items {
                value = .array(
                    elements.enumerated().map { i, element in
                        items.validate(element, path: JSONSchema.path(path, index: i), &context)
                    })
            }
        case .object(var members):
            let keys = Set(members.keys).union(properties.keys).union(required).sorted()
            for key in keys {
                let keyPath = JSONSchema.path(path, key: key)
                let property = properties[key]
                if let present = members[key] {
                    if let schema = property ?? additionalProperties {
                        if property == nil, schema.rejectsEverything {
                            let allowed = properties.keys.sorted().joined(separator: ", ")
                            context.report(keyPath, allowed.isEmpty ? "unknown key (no keys are allowed)" : "unknown key (allowed: \(allowed))")
                        } else {
                            members[key] = schema.validate(present, path: keyPath, &context)
                        }
                    }
                } else if let property, let fallback = property.defaultValue {
                    // Validating the default fills the defaults nested inside it.
                    members[key] = property.validate(fallback, path: keyPath, &context)
                } else if required.contains(key) {
                    context.report(keyPath, "required key is missing")
                }
            }
            value = .object(members)
        case .null, .bool:
            break
        }
        return value
    }

    private static func value(_ value: JSONValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("integer", .integer), ("number", .integer), ("number", .double):
            return true
        case ("integer", .double):
            return value.intValue != nil
        default:
            return false
        }
    }

    private static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
