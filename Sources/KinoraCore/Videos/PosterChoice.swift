import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore

/// `poster` in `PATCH /api/v1/videos/{id}`: one of the video's thumbnail candidates becomes its
/// poster. The thumbnails JSON then points `poster` at the candidate's own file instead of
/// copying it over `thumbs/poster.jpg`: stream JPEGs are served `immutable` for a year, so a
/// changed file under the old URL would stay stale in browsers and CDNs, while a new URL is
/// correct at once and every file stays cacheable.
public enum PosterChoice {
    /// The video's thumbnails JSON with `poster` set to the candidate `value` names: its name
    /// (`candidate-2.jpg`), its stored path (`thumbs/candidate-2.jpg`) or its stream URL
    /// (`/streams/{id}/thumbs/candidate-2.jpg`, absolute or not).
    public static func apply(_ value: String, to video: VideoRecord) throws(CatalogField.Invalid) -> String {
        guard let json = video.thumbnails.flatMap({ try? JSONValue(parsing: $0) }), case .object(var members) = json,
            let candidates = json["candidates"]?.arrayValue?.compactMap(\.stringValue), !candidates.isEmpty
        else {
            throw CatalogField.Invalid(
                field: "poster", detail: "this video has no thumbnail candidates (yet); a poster can be chosen once processing made them")
        }
        let wanted = value.count <= 2048 ? path(of: value, video: video.id) : nil
        guard let wanted, let chosen = candidates.first(where: { $0 == wanted || $0 == "thumbs/" + wanted }) else {
            let names = candidates.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
            throw CatalogField.Invalid(
                field: "poster", detail: "poster must name one of this video's thumbnail candidates (\(names.joined(separator: ", "))) or its URL")
        }
        members["poster"] = .string(chosen)
        // The card picture follows: the same frame, small (absent for older transcodes).
        if let cards = json["cards"]?.arrayValue?.compactMap(\.stringValue), cards.count == candidates.count,
            let index = candidates.firstIndex(of: chosen)
        {
            members["card"] = .string(cards[index])
        }
        return JSONValue.object(members).jsonString
    }

    /// The stored path a stream URL stands for (an absolute URL's path, without the
    /// `/streams/{id}/` prefix), or the value itself when it is not a URL of this video.
    public static func path(of value: String, video: String) -> String? {
        var text = value
        if let url = URL(string: value), url.scheme != nil { text = url.path }
        let prefix = "/streams/\(video)/"
        if text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
        return text.hasPrefix("/") ? nil : text
    }
}
