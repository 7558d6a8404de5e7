import KinoraServer
import Testing

@Suite struct LanguageTagTests {
    @Test func acceptsTagsInTheirConventionalCase() {
        #expect(LanguageTag("en")?.value == "en")
        #expect(LanguageTag("EN")?.value == "en")
        #expect(LanguageTag("pt-br")?.value == "pt-BR")
        #expect(LanguageTag("zh-hant-tw")?.value == "zh-Hant-TW")
        #expect(LanguageTag("es-419")?.value == "es-419")
        #expect(LanguageTag("sgn-BE-FR")?.value == "sgn-BE-FR")
        #expect(LanguageTag("de-CH-1996")?.value == "de-CH-1996")
    }

    @Test func refusesAnythingThatCouldBeAPath() {
        for text in [
            "", "e", "engl", "../x", "en/../../etc", "en..", "..", ".", "en-", "-en", "en--us", "en_US", "en US", "en%2F..",
            "en-abcdefghi", "ça", "en.vtt", "en\0", String(repeating: "en-", count: 12) + "en",
        ] {
            #expect(LanguageTag(text) == nil, "\(text.debugDescription)")
        }
        #expect(LanguageTag("en-" + Array(repeating: "abcdefgh", count: 3).joined(separator: "-") + "-abcde") != nil, "35 characters")
        #expect(LanguageTag("en-" + Array(repeating: "abcdefgh", count: 3).joined(separator: "-") + "-abcdef") == nil, "36 characters")
    }

    @Test func namesTheLanguageOrFallsBackToTheTag() {
        #expect(LanguageTag("en")?.displayName == "English")
        #expect(LanguageTag("fr")?.displayName == "Français")
        #expect(LanguageTag("qaa")?.displayName.isEmpty == false)
    }
}
