import KinoraConfiguration
import KinoraHost
import Testing

/// "path: message" lines, the way the CLI prints them.
private func problems(_ schema: JSONValue, _ value: JSONValue, at path: String = "") throws -> [String] {
    try JSONSchema(schema).validate(value, at: path).violations.map(\.description)
}

private func schemaErrors(_ schema: JSONValue) -> [String] {
    do {
        _ = try JSONSchema(schema)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite struct JSONSchemaValidationTests {
    @Test func type() throws {
        #expect(try problems(["type": "string"], 5) == ["expected string, found integer"])
        #expect(try problems(["type": "string"], "x") == [])
        #expect(try problems(["type": ["string", "null"]], nil) == [])
        #expect(try problems(["type": ["string", "null"]], true) == ["expected string or null, found boolean"])
        #expect(try problems(["type": "number"], 3) == [])
        #expect(try problems(["type": "number"], 3.5) == [])
        #expect(try problems(["type": "integer"], 3.5) == ["expected integer, found number"])
        #expect(try problems(["type": "object"], []) == ["expected object, found array"])
        #expect(try problems(["type": "array"], [:]) == ["expected array, found object"])
        #expect(try problems(["type": "boolean"], "true") == ["expected boolean, found string"])
        #expect(try problems(["type": "null"], 0) == ["expected null, found integer"])
        #expect(try problems([:], ["anything": [1]]) == [])
    }

    @Test func integralDoublesBecomeIntegers() throws {
        let schema = try JSONSchema(["type": "integer"])
        #expect(schema.validate(2.0).value == .integer(2))
        #expect(schema.validate(2.0).isValid)
        let either = try JSONSchema(["type": ["integer", "number"]])
        #expect(either.validate(2.0).value == .double(2.0))
    }

    @Test func numericBounds() throws {
        #expect(try problems(["minimum": 1], 0) == ["must be ≥ 1 (found 0)"])
        #expect(try problems(["minimum": 1], 1) == [])
        #expect(try problems(["maximum": 10], 10.5) == ["must be ≤ 10 (found 10.5)"])
        #expect(try problems(["exclusiveMinimum": 0], 0) == ["must be > 0 (found 0)"])
        #expect(try problems(["exclusiveMinimum": 0], 0.001) == [])
        #expect(try problems(["exclusiveMaximum": 1.5], 2) == ["must be < 1.5 (found 2)"])
        #expect(try problems(["minimum": 0, "maximum": 5], 6) == ["must be ≤ 5 (found 6)"])
        // Exact even where Double cannot tell the integers apart.
        #expect(
            try problems(["maximum": 9_007_199_254_740_992], 9_007_199_254_740_993) == [
                "must be ≤ 9007199254740992 (found 9007199254740993)"
            ])
        #expect(try problems(["maximum": 9.007199254740992e15], 9_007_199_254_740_993).count == 1)
        #expect(try problems(["minimum": 1], "text") == [])  // bounds apply to numbers only
    }

    @Test func stringLengthCountsCodePoints() throws {
        #expect(try problems(["maxLength": 3], "😀😀😀") == [])
        #expect(try problems(["maxLength": 3], "abcd") == ["must be at most 3 characters"])
        #expect(try problems(["minLength": 1], "") == ["must be at least 1 character"])
        #expect(
            try problems(["maxLength": 64], .string(String(repeating: "é", count: 65))) == [
                "must be at most 64 characters"
            ])
        // "e" + combining acute is one Character but two code points.
        #expect(try problems(["maxLength": 1], "e\u{301}") == ["must be at most 1 character"])
    }

    @Test func pattern() throws {
        #expect(try problems(["pattern": "^[a-z]+$"], "abc") == [])
        #expect(try problems(["pattern": "^[a-z]+$"], "abC") == ["does not match pattern ^[a-z]+$"])
        #expect(try problems(["pattern": "b"], "abc") == [])  // unanchored search
        #expect(try problems(["pattern": "^\\d{2,3}$"], "1234").count == 1)
        #expect(try problems(["pattern": "^.$"], "😀") == [])
        #expect(
            try problems(["type": "array", "items": ["pattern": "^x"]], ["xa", "ya", "xb"]) == [
                "[1]: does not match pattern ^x"
            ])
    }

    @Test func enumAndConst() throws {
        #expect(try problems(["enum": ["text", "json"]], "xml") == [#"must be one of "text", "json""#])
        #expect(try problems(["enum": ["text", "json"]], "json") == [])
        #expect(try problems(["enum": [1, [1, 2], ["a": nil]]], 1.0) == [])
        #expect(try problems(["enum": [1, [1, 2], ["a": nil]]], [1.0, 2]) == [])
        #expect(try problems(["enum": [1, [1, 2], ["a": nil]]], ["a": nil]) == [])
        #expect(try problems(["enum": ["only"]], "other") == [#"must be "only""#])
        #expect(try problems(["const": 3], 3.0) == [])
        #expect(try problems(["const": ["a": [true]]], ["a": [false]]) == [#"must be {"a":[true]}"#])
    }

    @Test func arrays() throws {
        let schema: JSONValue = ["type": "array", "items": ["type": "integer"], "minItems": 1, "maxItems": 3]
        #expect(try problems(schema, [1, 2]) == [])
        #expect(try problems(schema, []) == ["must have at least 1 item"])
        #expect(try problems(schema, [1, 2, 3, 4]) == ["must have at most 3 items"])
        #expect(try problems(schema, [1, "x", true]) == ["[1]: expected integer, found string", "[2]: expected integer, found boolean"])
        #expect(try problems(["uniqueItems": true], [1, 2, 1.0]) == ["items must be unique ([2] repeats [0])"])
        #expect(try problems(["uniqueItems": true], [["a": 1], ["a": 2]]) == [])
        #expect(try problems(["uniqueItems": false], [1, 1]) == [])
        #expect(try problems(["items": false], []) == [])
        #expect(try problems(["items": false], [1]) == ["[0]: no value is allowed here"])
    }

    @Test func objects() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["root": ["type": "string"], "fsync": ["type": "boolean"]],
            "required": ["root"],
            "additionalProperties": false,
        ]
        #expect(try problems(schema, ["root": "/srv"]) == [])
        #expect(try problems(schema, [:]) == ["root: required key is missing"])
        #expect(
            try problems(schema, ["root": 1, "fsynk": true]) == [
                "fsynk: unknown key (allowed: fsync, root)", "root: expected string, found integer",
            ])
        #expect(try problems(["additionalProperties": false], ["a": 1]) == ["a: unknown key (no keys are allowed)"])
        #expect(
            try problems(["additionalProperties": ["type": "integer"]], ["a": 1, "b": "x"]) == [
                "b: expected integer, found string"
            ])
        #expect(try problems(["properties": ["a": ["type": "integer"]]], ["a": 1, "other": "ok"]) == [])
    }

    @Test func reportsEveryViolationWithNestedPaths() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "servers": [
                    "type": "array",
                    "items": [
                        "type": "object",
                        "properties": ["host": ["type": "string", "minLength": 1], "port": ["type": "integer", "maximum": 65535]],
                        "required": ["host"],
                    ],
                ],
                "labels": ["additionalProperties": ["type": "string"]],
            ],
        ]
        let value: JSONValue = [
            "servers": [["host": "a"], ["host": "b", "port": 70000], ["port": 1], ["host": ""]],
            "labels": ["a.b": 1, "ok": "x"],
        ]
        #expect(
            try problems(schema, value, at: "settings") == [
                #"settings.labels["a.b"]: expected string, found integer"#,
                "settings.servers[1].port: must be ≤ 65535 (found 70000)",
                "settings.servers[2].host: required key is missing",
                "settings.servers[3].host: must be at least 1 character",
            ])
        let violation = try JSONSchema(schema).validate(["servers": 1], at: "settings").violations
        #expect(violation == [JSONSchemaViolation(path: "settings.servers", message: "expected array, found integer")])
        #expect(try problems(["type": "object"], "x", at: "settings") == ["settings: expected object, found string"])
    }

    @Test func fillsDefaults() throws {
        let schema = try JSONSchema([
            "type": "object",
            "properties": [
                "root": ["type": "string", "default": "/srv/media"],
                "part_size": ["type": "integer", "minimum": 1, "default": 8_388_608],
                "fsync": ["type": "boolean", "default": true],
                "limits": [
                    "type": "object",
                    "default": [:],
                    "properties": ["rate": ["type": "integer", "default": 10], "burst": ["type": "integer"]],
                ],
                "mirrors": [
                    "type": "array",
                    "items": ["type": "object", "properties": ["weight": ["type": "integer", "default": 1]]],
                ],
            ],
            "required": ["root"],
        ])
        let result = schema.validate(["fsync": false, "mirrors": [["weight": 5], [:]]], at: "settings")
        #expect(result.isValid)
        #expect(
            result.value == [
                "root": "/srv/media", "part_size": 8_388_608, "fsync": false,
                "limits": ["rate": 10], "mirrors": [["weight": 5], ["weight": 1]],
            ])
        #expect(schema.validate(["limits": ["rate": 3, "burst": 4]]).value["limits"] == ["rate": 3, "burst": 4])
        #expect(schema.validate([:]).value["part_size"] == 8_388_608)
        // Violations elsewhere do not stop defaults from being filled.
        let bad = schema.validate(["part_size": 0])
        #expect(bad.violations.map(\.description) == ["part_size: must be ≥ 1 (found 0)"])
        #expect(bad.value["root"] == "/srv/media")
    }

    @Test func nonFiniteNumbersFromCodeAreRejected() throws {
        // TOML has nan and inf; JSON cannot carry them to the plugin.
        #expect(try problems(["type": "number", "minimum": 0], .double(.nan)) == ["must be a finite number"])
        #expect(try problems(["maximum": 0], .double(-.infinity)) == ["must be a finite number"])
        #expect(try problems(["type": "integer"], .double(.infinity)) == ["expected integer, found number"])
    }

    @Test func quotesKeysThatAreNotBareKeys() throws {
        let schema: JSONValue = ["additionalProperties": ["type": "integer"]]
        #expect(
            try problems(schema, ["": "x", "é": "x", "a b": "x", "ok-key_1": "x"], at: "t") == [
                #"t[""]: expected integer, found string"#, #"t["a b"]: expected integer, found string"#,
                "t.ok-key_1: expected integer, found string", #"t["é"]: expected integer, found string"#,
            ])
    }

    @Test func booleanSchemas() throws {
        #expect(try problems(true, ["x": 1]) == [])
        #expect(try problems(false, 1) == ["no value is allowed here"])
        #expect(try problems(["properties": ["gone": false]], ["gone": 1]) == ["gone: no value is allowed here"])
    }

    @Test func keepsSourceAndParsesText() throws {
        let schema = try JSONSchema(parsing: #"{"type":"integer","title":"Size","format":"bytes"}"#)
        #expect(schema.source["title"] == "Size")
        #expect(schema.validate("1").violations.map(\.description) == ["expected integer, found string"])
    }
}

@Suite struct JSONSchemaCheckTests {
    @Test func acceptsAnnotations() {
        let schema: JSONValue = [
            "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "kinora:storage-local",
            "title": "t", "description": "d", "$comment": "c", "examples": [[:]], "format": "uri",
        ]
        #expect(schemaErrors(schema) == [])
    }

    @Test func rejectsUnsupportedKeywords() throws {
        #expect(
            schemaErrors(["oneOf": [], "properties": ["a": ["$ref": "#/x"]]]) == [
                #"unsupported keyword "oneOf""#, #"properties.a: unsupported keyword "$ref""#,
            ])
        do {
            _ = try JSONSchema(["minProperties": 1])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(#"unsupported keyword "minProperties""#))
            #expect(error.description.contains("supported: type, properties"))
        }
    }

    @Test func rejectsWrongKeywordTypes() {
        #expect(schemaErrors(["type": "str"]).first?.hasPrefix("type: must be one of array, boolean") == true)
        #expect(schemaErrors(["type": []]).count == 1)
        #expect(schemaErrors(["type": ["string", "string"]]).count == 1)
        #expect(schemaErrors(["properties": []]) == ["properties: must be an object, found array"])
        #expect(schemaErrors(["properties": ["a": 5]]) == ["properties.a: a schema must be an object or a boolean, found integer"])
        #expect(schemaErrors(["required": ["a", 1]]) == [#"required: must be an array of distinct strings, found ["a",1]"#])
        #expect(schemaErrors(["additionalProperties": "no"]) == ["additionalProperties: a schema must be an object or a boolean, found string"])
        #expect(schemaErrors(["enum": []]) == ["enum: must be a non-empty array, found []"])
        #expect(schemaErrors(["minimum": "1"]) == ["minimum: must be a number, found string"])
        #expect(
            schemaErrors(["exclusiveMinimum": true]) == [
                "exclusiveMinimum: must be a number, found boolean (the draft-04 boolean form is not supported)"
            ])
        #expect(schemaErrors(["minLength": -1]) == ["minLength: must be a non-negative integer, found -1"])
        #expect(schemaErrors(["maxItems": 1.5]) == ["maxItems: must be a non-negative integer, found 1.5"])
        #expect(schemaErrors(["maxItems": 2.0]) == [])
        #expect(schemaErrors(["uniqueItems": 1]) == ["uniqueItems: must be a boolean, found integer"])
        #expect(schemaErrors(["items": [["type": "string"]]]) == ["items: must be a single schema (the array form is not supported)"])
        #expect(
            schemaErrors(["title": 1, "examples": "x"]) == ["examples: must be an array, found string", "title: must be a string, found integer"])
        #expect(schemaErrors(5) == ["a schema must be an object or a boolean, found integer"])
    }

    @Test func rejectsContradictions() {
        #expect(schemaErrors(["minimum": 5, "maximum": 1]) == ["minimum (5) is greater than maximum (1)"])
        #expect(schemaErrors(["minLength": 5, "maxLength": 1]) == ["minLength (5) is greater than maxLength (1)"])
        #expect(schemaErrors(["minItems": 2, "maxItems": 1]) == ["minItems (2) is greater than maxItems (1)"])
        #expect(
            schemaErrors(["required": ["a"], "additionalProperties": false]) == [
                #"required: "a" is required but not in properties, and additionalProperties is false"#
            ])
    }

    @Test func rejectsInvalidPattern() {
        #expect(schemaErrors(["pattern": "([a-z"]) == [#"pattern: invalid regular expression "([a-z""#])
        #expect(schemaErrors(["pattern": 3]) == ["pattern: must be a string, found integer"])
    }

    @Test func rejectsDefaultsThatDoNotValidate() {
        #expect(
            schemaErrors(["type": "integer", "minimum": 1, "default": 0]) == [
                "default: default is invalid: must be ≥ 1 (found 0)"
            ])
        #expect(
            schemaErrors(["properties": ["root": ["type": "string", "default": 5]]]) == [
                "properties.root.default: default is invalid: expected string, found integer"
            ])
        #expect(
            schemaErrors(["type": "object", "properties": ["a": ["type": "integer"]], "default": ["a": "x"]]) == [
                "default: default is invalid: a: expected integer, found string"
            ])
        #expect(schemaErrors(["type": "string", "pattern": "^[a-z]+$", "default": "ok"]) == [])
    }

    @Test func rejectsSchemaThatIsNotJSON() {
        #expect(throws: JSONSchemaError.self) { try JSONSchema(parsing: "{type: 1}") }
    }
}
