import KinoraPluginKit
import Testing

/// The SDK's JSON parser (KinoraJSON, which the kit re-exports): what it accepts, what it refuses, and where it says the problem is.
@Suite struct JSONValueTests {
    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONValue(
            parsing: #" {"s":"a\"b\\c\n\u00e9\ud83c\udfac","i":-42,"big":9007199254740993,"d":1.5e3,"t":true,"f":false,"n":null,"a":[1,[2],{}]} "#)
        #expect(v["s"]?.stringValue == "a\"b\\c\né🎬")
        #expect(v["i"] == .integer(-42))
        #expect(v["big"] == .integer(9_007_199_254_740_993), "integers stay exact beyond 2^53")
        #expect(v["d"] == .double(1500))
        #expect(v["t"]?.boolValue == true && v["f"]?.boolValue == false && v["n"] == .null)
        #expect(v["a"]?[1]?[0]?.intValue == 2 && v["a"]?[2]?.objectValue?.isEmpty == true)
        #expect(v["missing"] == nil && v["a"]?[9] == nil)
    }

    @Test(arguments: [
        ("", "unexpected end of input at offset 0"),
        ("{\"a\":}", "unexpected character '}' at offset 5"),
        ("[1,]", "trailing comma in array at offset 3"),
        ("{\"a\":1,\"a\":2}", "duplicate key \"a\" at offset 7"),
        ("01", "leading zeros are not allowed at offset 0"),
        ("\"a\u{01}\"", "unescaped control character U+0001 in string at offset 2"),
        ("\"\\ud800\"", "lone high surrogate \\uD800 at offset 1"),
        ("[1] x", "unexpected character 'x' after the JSON value at offset 4"),
        ("1e999", "number 1e999 is out of range at offset 0"),
        ("{\"a\" 1}", "expected ':' but found character '1' at offset 5"),
        ("tru", "unexpected end of input at offset 3"),
    ])
    func refusesMalformedTextNamingTheByte(_ text: String, _ message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        do { _ = try JSONValue(parsing: text) } catch { #expect(error.description == message) }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: JSONValue.maximumDepth + 1) + String(repeating: "]", count: JSONValue.maximumDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }
}
