import KinoraConfiguration
import KinoraHost
import Testing

@Suite struct JSONValueParsingTests {
    @Test func parsesEveryKind() throws {
        let value = try JSONValue(parsing: #" { "a": [1, -2, 2.5, -0.5e3, true, false, null], "s": "x", "o": {} } "#)
        #expect(value == ["a": [1, -2, 2.5, -500.0, true, false, nil], "s": "x", "o": [:]])
    }

    @Test func keepsIntegersAndDoublesApart() throws {
        #expect(try JSONValue(parsing: "2") == .integer(2))
        #expect(try JSONValue(parsing: "2.0") == .double(2.0))
        #expect(try JSONValue(parsing: "2e0") == .double(2.0))
        #expect(try JSONValue(parsing: "-0") == .integer(0))
        #expect(try JSONValue(parsing: "9223372036854775807") == .integer(Int64.max))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .integer(Int64.min))
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9_223_372_036_854_775_808.0))
        #expect(try JSONValue(parsing: "123456789012345678901234567890") == .double(1.2345678901234568e29))
        #expect(try JSONValue(parsing: "1E-2") == .double(0.01))
    }

    @Test func decodesEscapes() throws {
        #expect(try JSONValue(parsing: #""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{8} \u{C} \n \r \t"))
        #expect(try JSONValue(parsing: #""\u00e9\u00E9""#) == .string("éé"))
        #expect(try JSONValue(parsing: #""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue(parsing: #""\u0000""#) == .string("\u{0}"))
        #expect(try JSONValue(parsing: "\"héllo 😀\"") == .string("héllo 😀"))
    }

    @Test(arguments: [
        ("", "unexpected end of input", 0),
        ("[1,]", "trailing comma in array", 3),
        (#"{"a":1,}"#, "trailing comma in object", 7),
        ("[1 2]", "expected ',' or ']' but found character '2'", 3),
        ("01", "leading zeros are not allowed", 0),
        ("-01", "leading zeros are not allowed", 0),
        ("1.", "expected a digit but found end of input", 2),
        (".5", "unexpected character '.'", 0),
        ("1e", "expected a digit but found end of input", 2),
        ("+1", "unexpected character '+'", 0),
        ("1e400", "number 1e400 is out of range", 0),
        ("-1e400", "number -1e400 is out of range", 0),
        ("NaN", "unexpected character 'N'", 0),
        ("tru", "unexpected end of input", 3),
        ("nul!", "unexpected character '!'", 3),
        ("{} x", "unexpected character 'x' after the JSON value", 3),
        ("[1]]", "unexpected character ']' after the JSON value", 3),
        (#"{"a" 1}"#, "expected ':' but found character '1'", 5),
        ("{1:2}", "expected a string key but found character '1'", 1),
        (#"{"a":1,"a":2}"#, #"duplicate key "a""#, 7),
        ("\"abc", "unterminated string", 0),
        ("\"a\tb\"", "unescaped control character U+0009 in string", 2),
        ("\"a\nb\"", "unescaped control character U+000A in string", 2),
        (#""\x""#, "invalid escape '\\x' in string", 1),
        (#""\u12G4""#, "expected 4 hex digits after \\u but found character 'G'", 5),
        (#""\ud800""#, "lone high surrogate \\uD800", 1),
        (#""\ud800x""#, "lone high surrogate \\uD800", 1),
        (#""\ud800\u0041""#, "lone high surrogate \\uD800", 1),
        (#""\udc00""#, "lone low surrogate \\uDC00", 1),
        ("// c\n1", "unexpected character '/'", 0),
        ("\u{FEFF}1", "unexpected character '\u{FEFF}'", 0),
        ("é", "unexpected character 'é'", 0),
    ])
    func rejectsMalformedInput(text: String, message: String, offset: Int) {
        #expect(throws: JSONParseError(offset: offset, message: message)) { try JSONValue(parsing: text) }
    }

    @Test func errorDescriptionNamesTheOffset() {
        #expect(
            JSONParseError(offset: 12, message: "unexpected character 'x'").description
                == "unexpected character 'x' at offset 12")
    }

    @Test func limitsNestingDepth() throws {
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try JSONValue(parsing: ok).arrayValue?.count == 1)
        let deep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect(throws: JSONParseError(offset: 256, message: "nesting deeper than 256 levels")) {
            try JSONValue(parsing: deep)
        }
        // Far beyond any stack: must fail cleanly, not crash.
        let hostile = String(repeating: #"{"a":["#, count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: hostile) }
    }

    @Test func staticParseMatchesInit() throws {
        #expect(try JSONValue.parse("[true]") == [true])
    }
}

@Suite struct JSONValueSerializationTests {
    @Test func sortsKeysAndIsCompact() {
        let value: JSONValue = ["b": [1, 2], "a": ["z": nil, "y": false], "c": "s"]
        #expect(value.jsonString == #"{"a":{"y":false,"z":null},"b":[1,2],"c":"s"}"#)
        #expect(value.description == value.jsonString)
    }

    @Test func escapesStrings() {
        #expect(JSONValue.string("a\"b\\c/d").jsonString == #""a\"b\\c/d""#)
        #expect(JSONValue.string("\n\t\u{0}\u{1F}").jsonString == #""\u000a\u0009\u0000\u001f""#)
        #expect(JSONValue.string("é😀\u{7F}").jsonString == "\"é😀\u{7F}\"")
        #expect(JSONValue.object(["k\"": 1]).jsonString == #"{"k\"":1}"#)
    }

    @Test func printsNumbersSoTheyRoundTrip() throws {
        #expect(JSONValue.integer(-42).jsonString == "-42")
        #expect(JSONValue.integer(Int64.min).jsonString == "-9223372036854775808")
        for d in [2.0, 0.1, -0.0, 1e-7, 1.5e300, Double.leastNonzeroMagnitude, Double.pi, 1e16, 123_456_789.125] {
            let text = JSONValue.double(d).jsonString
            #expect(try JSONValue(parsing: text) == .double(d), "\(text)")
        }
        #expect(JSONValue.double(.infinity).jsonString == "null")
        #expect(JSONValue.double(.nan).jsonString == "null")
    }

    @Test func roundTrips() throws {
        let texts = [
            #"{"a":[1,2.5,-3,true,false,null],"b":{"c":"\"q\"\\"},"d":[]}"#,
            #"["\u0001","é","😀",{}]"#,
            #"[[[[[]]]]]"#,
            #"{"":0}"#,
        ]
        for text in texts {
            let value = try JSONValue(parsing: text)
            #expect(try JSONValue(parsing: value.jsonString) == value)
        }
        #expect(try JSONValue(parsing: " [ 1 , { \"b\" : 2 , \"a\" : 1 } ] ").jsonString == #"[1,{"a":1,"b":2}]"#)
    }
}

@Suite struct JSONValueAccessorTests {
    @Test func accessors() {
        let value: JSONValue = ["s": "x", "i": 3, "d": 2.0, "f": 2.5, "b": true, "a": [1], "n": nil]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["missing"] == nil)
        #expect(value["i"]?.intValue == 3)
        #expect(value["d"]?.intValue == 2)
        #expect(value["f"]?.intValue == nil)
        #expect(value["i"]?.doubleValue == 3.0)
        #expect(value["f"]?.doubleValue == 2.5)
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["a"]?[0] == 1)
        #expect(value["a"]?[1] == nil)
        #expect(value["n"]?.isNull == true)
        #expect(value.objectValue?.count == 7)
        #expect(JSONValue.string("1").intValue == nil)
        #expect(JSONValue.double(1e300).intValue == nil)
        #expect(JSONValue.integer(1)["k"] == nil)
    }

    @Test func typeNames() {
        let values: [JSONValue] = [nil, true, 1, 1.5, "s", [], [:]]
        #expect(values.map(\.typeName) == ["null", "boolean", "integer", "number", "string", "array", "object"])
    }

    @Test func equalityIsStructural() {
        #expect(JSONValue.integer(1) != JSONValue.double(1))
        #expect(Set<JSONValue>([1, 1, "1"]).count == 2)
    }
}
