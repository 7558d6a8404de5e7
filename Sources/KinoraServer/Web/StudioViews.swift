import Foundation
import KinoraStore

/// What the studio's templates show of a video: plain strings prepared here, as in WebViews.
enum StudioViews {
    static let statusText = ["ready": "Ready", "processing": "Processing", "queued": "Queued", "failed": "Failed", "uploaded": "Uploaded"]

    static func row(_ details: VideoDetails) -> [String: Any] {
        var row = WebViews.card(details)
        let video = details.video
        row["status"] = statusText[video.status] ?? video.status
        row["statusClass"] = video.status.allSatisfy { $0.isLetter || $0 == "_" } ? video.status : "other"
        row["visibility"] = video.visibility
        return row
    }

    static func edit(_ details: VideoDetails) -> [String: Any] {
        var page = row(details)
        let video = details.video
        page["rawTitle"] = video.title
        page["description"] = video.description
        page["tags"] = details.tags.joined(separator: ", ")
        page["visibilities"] = StudioRoutes.visibilities.map {
            ["value": $0, "label": $0.capitalized, "selected": $0 == video.visibility] as [String: Any]
        }
        if let error = video.error, video.status == "failed" { page["error"] = error }
        // The poster choice: each candidate frame as a radio, the current poster's checked.
        let thumbnails = VideoJSON.thumbnails(video)
        // A fresh transcode's poster is a copy of the best candidate; its card picture says which.
        let current = thumbnails?["poster"] as? String, currentCard = thumbnails?["card"] as? String
        let all = thumbnails?["candidates"] as? [String] ?? []
        let cards = (thumbnails?["cards"] as? [String]).flatMap { $0.count == all.count ? $0 : nil } ?? all
        let candidates = all.enumerated().map { index, url in
            ["url": url, "picture": cards[index], "number": index + 1, "checked": url == current || cards[index] == currentCard] as [String: Any]
        }
        page["candidates"] = candidates
        page["hasCandidates"] = !candidates.isEmpty
        page["publishAt"] = video.publishAt.map(RFC3339.string) ?? ""
        return page
    }
}
