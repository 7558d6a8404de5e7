import Foundation
import Hummingbird
import KinoraCore
import KinoraStore

/// TV mode, the 10-foot face of the viewer site: `/tv` (rows of large cards), `/tv/search`
/// (an on-screen keyboard) and `/tv/watch/{id}` (the player with remote-friendly keys).
/// Every list comes from the same listings as the normal pages (listed videos only), and a
/// video the caller may not see is the same 404 page as an unknown one.
struct TVRoutes {
    let web: WebRoutes
    var database: KinoraDatabase { web.database }

    static let rowLength = 12
    /// Category rows after the others: a TV home is read by scrolling down, so a few suffice.
    static let categoryRows = 6

    func register(on router: Router<KinoraRequestContext>) {
        router.get("tv") { _, context in
            try Access.anyone.check(context)
            return try await web.page("tv-home", context, title: "Kinora TV", ["rows": try rows(context)])
        }
        router.get("tv/search") { request, context in
            try Access.anyone.check(context)
            let q = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            // Only a non-empty string may be set: mustache renders a section for any string.
            var object: [String: Any] = q.isEmpty ? [:] : ["q": q]
            object["keys"] = Self.keyboard
            if q.count > VideoSearch.maxQueryLength {
                object["message"] = "Searches are limited to \(VideoSearch.maxQueryLength) characters."
            } else if !q.isEmpty {
                let found = try VideoSearch(database: database).search(q, limit: WebRoutes.cardsPerPage, cursor: nil)
                object["cards"] = found.items.map(WebViews.card)
                if found.items.isEmpty { object["message"] = "No videos match “\(q)”." }
            } else {
                object["message"] = "Type with the keyboard: results appear as you go."
            }
            return try await web.page("tv-search", context, title: "Search – Kinora TV", object)
        }
        router.get("tv/watch/:id") { _, context in
            try Access.anyone.check(context)
            let id = context.parameters.get("id") ?? ""
            guard let details = try VideoLookup(database: database).details(id, to: context.viewer) else {
                return try await web.page("tv-notfound", context, title: "Not found – Kinora TV", [:], status: .notFound)
            }
            let video = WebViews.watch(details)
            return try await web.page("tv-watch", context, title: video["title"] as? String ?? "Video", ["video": video])
        }
    }

    /// The home rows, each non-empty: the caller's subscriptions, the latest, the most viewed
    /// (once something has been watched), then one per category that has videos.
    func rows(_ context: KinoraRequestContext) throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        func add(_ id: String, _ title: String, _ items: [VideoDetails]) {
            guard !items.isEmpty else { return }
            rows.append(["rowID": id, "rowTitle": title, "cards": items.map(WebViews.card)])
        }
        if let userID = context.principal?.userID {
            add("subscriptions", "From your subscriptions", try database.subscriptions.feed(userID: userID, limit: Self.rowLength, cursor: nil).items)
        }
        var latest = VideoQuery()
        latest.limit = Self.rowLength
        add("latest", "Latest", try database.videos.list(latest).items)
        var popular = VideoQuery()
        popular.sort = .mostViewed
        popular.limit = Self.rowLength
        add("popular", "Most viewed", try database.videos.list(popular).items.filter { $0.video.views > 0 })
        for category in try Categories(database: database).list().prefix(Self.categoryRows) {
            var query = VideoQuery()
            query.categoryID = category.id
            query.limit = Self.rowLength
            add("category-\(category.id)", category.name, try database.videos.list(query).items)
        }
        return rows
    }

    /// The on-screen keyboard's lines: letters and digits in reading order, then space,
    /// delete and clear. Six keys a line: six lines of letters and digits, a square quick to cross.
    static var keyboard: [[String: Any]] {
        let characters = Array("abcdefghijklmnopqrstuvwxyz1234567890")
        var lines: [[String: Any]] = stride(from: 0, to: characters.count, by: 6).map { start in
            let keys = characters[start..<min(start + 6, characters.count)].map { ["key": String($0), "label": String($0)] }
            return ["keys": keys]
        }
        lines.append([
            "keys": [
                ["key": " ", "label": "Space", "wide": true], ["key": "delete", "label": "Delete", "wide": true],
                ["key": "clear", "label": "Clear", "wide": true],
            ] as [[String: Any]]
        ])
        return lines
    }
}
