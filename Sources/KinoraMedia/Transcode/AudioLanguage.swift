/// A source audio stream's language tag as the presentation contract wants it: a BCP 47 tag
/// with a lower-case primary subtag ("en", "fr", "pt-br"), and the language's own name for
/// menus ("English", "Français").
///
/// Containers tag streams with ISO 639-2 codes (MP4 and Matroska: "eng"; "fre" and "fra"
/// both occur), which BCP 47 replaces by the ISO 639-1 code where one exists; a code outside
/// the table stays as it is (a three-letter code is a valid BCP 47 language), and a missing or
/// undetermined one is "und".
public enum AudioLanguage {
    /// ISO 639-1 code, ISO 639-2 codes (terminology and bibliographic), endonym.
    static let table: [(String, [String], String)] = [
        ("ar", ["ara"], "العربية"), ("bg", ["bul"], "Български"), ("bn", ["ben"], "বাংলা"),
        ("ca", ["cat"], "Català"), ("cs", ["ces", "cze"], "Čeština"), ("cy", ["cym", "wel"], "Cymraeg"),
        ("da", ["dan"], "Dansk"), ("de", ["deu", "ger"], "Deutsch"), ("el", ["ell", "gre"], "Ελληνικά"),
        ("en", ["eng"], "English"), ("es", ["spa"], "Español"), ("et", ["est"], "Eesti"),
        ("eu", ["eus", "baq"], "Euskara"), ("fa", ["fas", "per"], "فارسی"), ("fi", ["fin"], "Suomi"),
        ("fr", ["fra", "fre"], "Français"), ("ga", ["gle"], "Gaeilge"), ("gl", ["glg"], "Galego"),
        ("he", ["heb"], "עברית"), ("hi", ["hin"], "हिन्दी"), ("hr", ["hrv"], "Hrvatski"),
        ("hu", ["hun"], "Magyar"), ("id", ["ind"], "Bahasa Indonesia"), ("is", ["isl", "ice"], "Íslenska"),
        ("it", ["ita"], "Italiano"), ("ja", ["jpn"], "日本語"), ("ko", ["kor"], "한국어"),
        ("lt", ["lit"], "Lietuvių"), ("lv", ["lav"], "Latviešu"), ("ms", ["msa", "may"], "Bahasa Melayu"),
        ("nb", ["nob"], "Norsk bokmål"), ("nl", ["nld", "dut"], "Nederlands"), ("nn", ["nno"], "Norsk nynorsk"),
        ("no", ["nor"], "Norsk"), ("pl", ["pol"], "Polski"), ("pt", ["por"], "Português"),
        ("ro", ["ron", "rum"], "Română"), ("ru", ["rus"], "Русский"), ("sk", ["slk", "slo"], "Slovenčina"),
        ("sl", ["slv"], "Slovenščina"), ("sr", ["srp"], "Српски"), ("sv", ["swe"], "Svenska"),
        ("sw", ["swa"], "Kiswahili"), ("ta", ["tam"], "தமிழ்"), ("th", ["tha"], "ไทย"),
        ("tr", ["tur"], "Türkçe"), ("uk", ["ukr"], "Українська"), ("ur", ["urd"], "اردو"),
        ("vi", ["vie"], "Tiếng Việt"), ("zh", ["zho", "chi"], "中文"),
    ]

    /// "eng" → "en", "fre" → "fr", "pt-BR" → "pt-br", nil/"und"/"" → "und".
    public static func tag(_ source: String?) -> String {
        let trimmed = (source ?? "").trimmingWhitespace.lowercased().replacingUnderscores
        guard !trimmed.isEmpty, trimmed != "und", trimmed != "mis", trimmed != "zxx",
            trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { return "und" }
        var parts = trimmed.split(separator: "-").map(String.init)
        guard let primary = parts.first, (2...3).contains(primary.count), primary.allSatisfy(\.isLetter) else { return "und" }
        if primary.count == 3, let entry = table.first(where: { $0.1.contains(primary) }) { parts[0] = entry.0 }
        return parts.joined(separator: "-")
    }

    /// The language's own name, or nil for "und" and languages outside the table.
    public static func name(_ tag: String) -> String? {
        let primary = tag.split(separator: "-").first.map(String.init) ?? tag
        return table.first { $0.0 == primary }?.2
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
