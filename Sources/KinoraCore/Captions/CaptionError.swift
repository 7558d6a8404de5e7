/// Why a caption track was refused.
public enum CaptionError: DomainError, Equatable {
    /// The route's language is not a tag such as en, fr or pt-BR.
    case badLanguage(String)
    case badLabel
    case badDefault
    case tooLarge(limit: Int)
    case invalid(WebVTTValidator.Failure)
    case noTrack(videoID: String, language: String)
    /// The video went away while its captions were being saved.
    case videoGone(String)

    public var problemType: ProblemType {
        switch self {
        case .badLanguage: .badLanguage
        case .badLabel: .badLabel
        case .badDefault: .badDefault
        case .tooLarge: .payloadTooLarge
        case .invalid: .badCaptions
        case .noTrack, .videoGone: .notFound
        }
    }

    public var title: String {
        if case .tooLarge = self { return "Caption file too large" }
        return problemType.title
    }

    public var detail: String? {
        switch self {
        case .badLanguage(let raw):
            "\"\(raw.prefix(40))\" is not a language tag such as en, fr or pt-BR (2-3 letters, then -subtags of 1-8 letters or digits, at most \(LanguageTag.maxLength) characters)"
        case .badLabel: "label must be at most \(Captions.maxLabelLength) characters without control characters"
        case .badDefault: "default must be true or false"
        case .tooLarge(let limit): "caption files are limited to \(limit) bytes"
        case .invalid(let failure): failure.description
        case .noTrack(let video, let language): "video \(video) has no \(language) captions"
        case .videoGone(let video): "no video \(video)"
        }
    }
}
