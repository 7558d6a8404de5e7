import Foundation
import KinoraCore
import KinoraStore

/// What the viewer pages show of channels, history entries and playlists: plain values
/// prepared here, as in WebViews, so templates print only strings mustache escapes.
enum ViewerViews {
    static func count(_ number: Int, _ one: String, _ many: String) -> String {
        number == 1 ? "1 \(one)" : "\(number) \(many)"
    }

    static func channel(_ channel: ChannelRecord, subscribers: Int) -> [String: Any] {
        var object: [String: Any] = [
            "id": channel.id, "handle": channel.handle, "name": channel.name,
            "subscribers": count(subscribers, "subscriber", "subscribers"),
        ]
        if !channel.description.isEmpty { object["description"] = channel.description }
        return object
    }

    /// The subscribe control: a toggle for a signed-in account, a sign-in link otherwise,
    /// which comes back to `returnTo`.
    static func subscription(_ channel: ChannelRecord, subscribed: Bool?, returnTo: String) -> [String: Any] {
        guard let subscribed else { return ["channelID": channel.id, "signIn": SafeRedirect.loginLocation(next: returnTo)] }
        return [
            "channelID": channel.id, "signedIn": true, "subscribed": subscribed,
            "label": subscribed ? "Unsubscribe" : "Subscribe", "state": subscribed ? "true" : "false",
        ]
    }

    static func historyRow(_ entry: HistoryEntry, _ video: VideoRecord, channel: ChannelRecord?) -> [String: Any] {
        var row = WebViews.card(video, channel: channel)
        let seconds = Int(entry.position.rounded(.down))
        row["position"] = String(seconds)
        row["watched"] = entry.completed ? "Watched" : "Stopped at \(WebViews.durationText(entry.position))"
        if let duration = video.duration, duration > 0 {
            row["progressMax"] = String(Int(duration.rounded(.up)))
            row["progressValue"] = String(entry.completed ? Int(duration.rounded(.up)) : seconds)
        }
        if !entry.completed { row["resume"] = "/watch/\(video.id)?t=\(seconds)" }
        return row
    }

    static let visibilityText = ["public": "Public", "unlisted": "Unlisted", "private": "Private"]

    static func visibilities(selected: String) -> [[String: Any]] {
        PlaylistVisibility.values.map { ["value": $0, "label": visibilityText[$0] ?? $0, "selected": $0 == selected] as [String: Any] }
    }

    static func playlist(_ playlist: PlaylistRecord) -> [String: Any] {
        [
            "id": playlist.id, "title": playlist.title, "visibility": visibilityText[playlist.visibility] ?? playlist.visibility,
            "count": count(playlist.itemCount, "video", "videos"),
        ]
    }
}
