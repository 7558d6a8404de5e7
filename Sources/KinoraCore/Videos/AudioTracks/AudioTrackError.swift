/// Why a relabelling of a video's audio tracks was refused. `field` names the member of the
/// request body at fault ("[1].language"), so a client can point at it.
public enum AudioTrackError: DomainError, Equatable {
    /// Not a JSON array of objects, an entry without a string `id`, or too many entries.
    case badBody(String, field: String?)
    case unknownKey(field: String)
    case badLanguage(String, field: String)
    case badName(field: String)
    /// No such track on this video (`known`: the ones it has).
    case unknownTrack(String, known: [String], field: String)
    case duplicateTrack(String, field: String)
    /// Nothing is published yet: the tracks are known once the first pass is.
    case notPublished(String)
    /// The video went away while its labels were being saved.
    case videoGone(String)

    public var problemType: ProblemType {
        switch self {
        case .badBody: .badRequest
        case .unknownKey: .unknownField
        case .badLanguage: .badLanguage
        case .badName: .badLabel
        case .unknownTrack, .duplicateTrack: .invalidField
        case .notPublished: .notReady
        case .videoGone: .notFound
        }
    }

    /// Not yet published is the video's state, not the server's: 409, not `not-ready`'s 503.
    public var refusal: Refusal {
        if case .notPublished = self { return .conflict }
        return problemType.refusal
    }

    public var title: String {
        switch self {
        case .badName: "Invalid audio track name"
        case .unknownTrack: "Unknown audio track"
        default: problemType.title
        }
    }

    public var detail: String? {
        switch self {
        case .badBody(let detail, _): detail
        case .unknownKey(let field): "\(field) is not a member of an audio track label; the members are id, language and name"
        case .badLanguage(let raw, let field):
            "\(field): \"\(raw.prefix(40))\" is not a language tag such as en, fr or pt-BR (2-3 letters, then -subtags of 1-8 letters or digits, at most \(LanguageTag.maxLength) characters)"
        case .badName(let field):
            "\(field): a name is 1 to \(AudioTrackService.maxNameLength) characters without control characters or double quotes (HLS cannot carry them)"
        case .unknownTrack(let id, let known, let field):
            "\(field): this video has no audio track \"\(id.prefix(64))\"; its tracks are \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .duplicateTrack(let id, let field): "\(field): track \"\(id.prefix(64))\" is labelled twice"
        case .notPublished(let video): "video \(video) has no audio tracks until its first pass is published; try again once it is playable"
        case .videoGone(let video): "no video \(video)"
        }
    }

    public var extra: [String: String] {
        switch self {
        case .badBody(_, let field): field.map { ["field": $0] } ?? [:]
        case .unknownKey(let field), .badLanguage(_, let field), .badName(let field), .unknownTrack(_, _, let field),
            .duplicateTrack(_, let field):
            ["field": field]
        case .notPublished, .videoGone: [:]
        }
    }
}
