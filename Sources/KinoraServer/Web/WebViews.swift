import Foundation
import KinoraConfiguration
import KinoraStore

/// What the templates show of a video and of the signed-in account: plain dictionaries of
/// strings, so a template can only print what is prepared here (and mustache escapes it).
enum WebViews {
    static func card(_ details: VideoDetails) -> [String: Any] {
        card(details.video, channel: details.channel)
    }

    static func card(_ video: VideoRecord, channel: ChannelRecord?) -> [String: Any] {
        var card: [String: Any] = [
            "id": video.id,
            "title": video.title.isEmpty ? "Untitled" : video.title,
            "channel": channel?.name ?? "",
        ]
        // Set only when there is one: a missing key would be looked up in the page around the card.
        if let handle = channel?.handle { card["channelHandle"] = handle }
        if let duration = video.duration { card["duration"] = durationText(duration) }
        // The small picture: cards show many at once.
        if let picture = VideoJSON.thumbnails(video)?["card"] as? String { card["poster"] = picture }
        return card
    }

    /// `1:05`, `1:02:03`.
    static func durationText(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded()))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    static func watch(_ details: VideoDetails) -> [String: Any] {
        let video = details.video
        var page = card(details)
        page["description"] = video.description
        page["hasDescription"] = !video.description.isEmpty
        page["playable"] = details.presentation != nil
        page["status"] = video.status
        if let presentation = details.presentation {
            page["hls"] = "/streams/\(video.id)/master.m3u8"
            // While the first rendition still grows (`"complete": false`) there is no MPD yet:
            // without `dash` the page has no DASH URL and the player plays HLS.
            if (try? JSONValue(parsing: presentation))?["complete"]?.boolValue != false {
                page["dash"] = "/streams/\(video.id)/manifest.mpd"
            }
            // As <track> elements, so captions work the same for HLS, DASH and native playback.
            page["captions"] = details.captions.map(CaptionJSON.object)
        }
        let thumbnails = VideoJSON.thumbnails(video)
        // The player shows the full-size poster, not the card picture.
        if let poster = thumbnails?["poster"] as? String { page["poster"] = poster }
        if let trickplay = thumbnails?["trickplay"] as? String { page["trickplay"] = trickplay }
        return page
    }
}
