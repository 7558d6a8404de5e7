import Foundation
import KinoraTestSupport
import Testing

/// The viewer's pages (channel, feed, history, playlists) and what they add to the home and
/// watch pages: status codes and redirects, escaping of user text, hidden things as the 404
/// page; plus the whole flow in Debian's chromium (Tests/Fixtures/python/viewer_flows.py).
@Suite(.serialized) struct ViewerPagesTests {
    static let html = ["Accept": "text/html"]

    struct World {
        let daemon: DaemonProcess
        let creator: CatalogTests.Account
        let viewer: CatalogTests.Account
        let ready: String
        let other: String
        let hidden: String
        let channel: String
    }

    /// carol (creator) with a ready 4 s public clip, a second public one, a private one and a
    /// channel whose name and description hold markup; vic, a viewer.
    static func world(_ dir: String) async throws -> World {
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()
        let creator = try CatalogTests.account(daemon, "carol", role: "creator")
        let viewer = try CatalogTests.account(daemon, "vic", role: "viewer")
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 4)
        func upload(_ title: String, _ visibility: String) throws -> String {
            let created = try CatalogTests.upload(daemon, clip, fields: ["title": title, "visibility": visibility], token: creator.token)
            return try #require(try CatalogTests.object(created)["id"] as? String)
        }
        let ready = try upload("<b>Ready</b> & clip", "public")
        let other = try upload("Second clip", "public")
        let hidden = try upload("Hidden clip", "private")
        let channel = try #require(CatalogTests.ids(try daemon.get("/api/v1/me/channels", headers: creator.headers)).first)
        let patched = try CatalogTests.json(
            daemon, "PATCH", "/api/v1/channels/\(channel)", ["name": "<i>Carol</i> TV", "description": "Clips <script>x</script>"],
            headers: creator.headers)
        #expect(patched.status == 200, "\(patched.body)")
        _ = try await PlaybackTests.waitUntilReady(daemon, id: ready)
        return World(daemon: daemon, creator: creator, viewer: viewer, ready: ready, other: other, hidden: hidden, channel: channel)
    }

    @Test func channelFeedAndWatchPagesEscapeTextHideHiddenVideosAndRedirectAnonymousCallers() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("viewerpages")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try await Self.world(dir)
        let daemon = w.daemon

        let channel = try daemon.get("/channel/carol", headers: Self.html)
        #expect(channel.status == 200 && channel.headers["content-security-policy"] != nil)
        #expect(
            channel.body.contains("&lt;i&gt;Carol&lt;/i&gt; TV") && channel.body.contains("Clips &lt;script&gt;x&lt;/script&gt;"), "\(channel.body)")
        #expect(!channel.body.contains("<i>Carol") && !channel.body.contains("<script>x"))
        #expect(channel.body.contains("0 subscribers") && channel.body.contains("href=\"/login?next=/channel/carol\""))
        #expect(channel.body.contains("/watch/\(w.ready)") && channel.body.contains("/watch/\(w.other)") && !channel.body.contains(w.hidden))
        // Newest first: the second upload comes before the first.
        let first = try #require(channel.body.range(of: "/watch/\(w.other)")), second = try #require(channel.body.range(of: "/watch/\(w.ready)"))
        #expect(first.lowerBound < second.lowerBound)
        #expect(try daemon.get("/channel/CAROL", headers: Self.html).status == 200, "handles are case-insensitive")
        let unknown = try daemon.get("/channel/nobody", headers: Self.html)
        #expect(unknown.status == 404 && unknown.body.contains("Page not found"))
        // The listing's cursor pages the channel: after the newest video, the older one.
        let listing = try CatalogTests.object(try daemon.get("/api/v1/videos?channel=\(w.channel)&limit=1"))
        let cursor = try #require(listing["next_cursor"] as? String)
        let older = try daemon.get("/channel/carol?cursor=\(cursor)", headers: Self.html)
        #expect(older.status == 200 && older.body.contains("/watch/\(w.ready)") && !older.body.contains("/watch/\(w.other)"))
        let badCursor = try daemon.get("/channel/carol?cursor=garbage", headers: Self.html)
        #expect(badCursor.status == 400 && badCursor.body.contains("not valid") && badCursor.body.contains("href=\"/channel/carol\""))
        // Cards link the channel.
        #expect(
            try daemon.get("/", headers: Self.html).body.contains("<a class=\"card-channel\" href=\"/channel/carol\">&lt;i&gt;Carol&lt;/i&gt; TV</a>")
        )

        // Signed-in: a subscribe toggle; subscribing shows in the count, the feed and home.
        #expect(try daemon.get("/channel/carol", headers: w.viewer.headers).body.contains("data-subscribed=\"false\""))
        // Its owner gets no button to follow their own channel, there or on their watch pages.
        #expect(!(try daemon.get("/channel/carol", headers: w.creator.headers).body.contains("data-subscribed=")))
        #expect(!(try daemon.get("/watch/\(w.ready)", headers: w.creator.headers).body.contains("data-subscribed=")))
        #expect(try daemon.request("PUT", "/api/v1/channels/\(w.channel)/subscription", headers: w.viewer.headers).status == 201)
        let subscribed = try daemon.get("/channel/carol", headers: w.viewer.headers).body
        #expect(subscribed.contains("1 subscriber<") && subscribed.contains("data-subscribed=\"true\"") && subscribed.contains(">Unsubscribe<"))
        let feed = try daemon.get("/feed", headers: w.viewer.headers)
        #expect(feed.status == 200 && feed.body.contains("/watch/\(w.ready)") && !feed.body.contains(w.hidden))
        #expect(try daemon.get("/feed?cursor=garbage", headers: w.viewer.headers).status == 400)
        let home = try daemon.get("/", headers: w.viewer.headers).body
        #expect(home.contains("From your subscriptions") && !home.contains(">Popular<"))
        #expect(!(try daemon.get("/", headers: Self.html).body.contains("From your subscriptions")))

        for path in ["/feed", "/history", "/playlists"] {
            let anonymous = try daemon.get(path, headers: Self.html)
            #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login?next=\(path)", "\(path): \(anonymous.status)")
        }

        // The watch page: channel link, subscribe control, save form for accounts, up next.
        let watch = try daemon.get("/watch/\(w.ready)", headers: w.viewer.headers).body
        #expect(watch.contains("<a href=\"/channel/carol\" class=\"channel-link\">&lt;i&gt;Carol&lt;/i&gt; TV</a>"))
        #expect(watch.contains("id=\"save-form\"") && watch.contains(">Unsubscribe<") && watch.contains("/static/js/watch-social.js"))
        let upNext = try #require(watch.range(of: "class=\"up-next\"")).upperBound
        let rest = String(watch[upNext...])
        #expect(rest.contains("/watch/\(w.other)") && !rest.contains("/watch/\(w.ready)\"") && !rest.contains(w.hidden), "\(rest)")
        let anonymousWatch = try daemon.get("/watch/\(w.ready)", headers: Self.html).body
        #expect(!anonymousWatch.contains("id=\"save-form\"") && anonymousWatch.contains("href=\"/login?next=/watch/\(w.ready)\""))

        // Watching makes the video popular and puts it in the history with a resume link.
        let progress = try CatalogTests.json(daemon, "POST", "/api/v1/videos/\(w.ready)/progress", ["position": 2.6], headers: w.viewer.headers)
        #expect(progress.status == 200, "\(progress.body)")
        #expect(try daemon.get("/", headers: Self.html).body.contains(">Popular<"))
        let history = try daemon.get("/history", headers: w.viewer.headers)
        #expect(
            history.status == 200 && history.body.contains("href=\"/watch/\(w.ready)?t=2\"")
                && history.body.contains("&lt;b&gt;Ready&lt;/b&gt; &amp; clip"))
        #expect(history.body.contains("<progress class=\"watch-progress\" max=\"4\" value=\"2\"") && history.body.contains("id=\"history-clear\""))
        #expect(try daemon.get("/history?cursor=garbage", headers: w.viewer.headers).status == 400)
        #expect(try daemon.get("/history", headers: w.creator.headers).body.contains("You have not watched anything yet."))
        try await daemon.stop()
    }

    @Test func playlistPagesShowItemsInOrderToThoseWhoMaySeeThemAndControlsToTheOwner() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("viewerplaylists")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try await Self.world(dir)
        let daemon = w.daemon

        let created = try CatalogTests.json(
            daemon, "POST", "/api/v1/playlists", ["title": "<script>list</script>", "visibility": "private"], headers: w.viewer.headers)
        let playlist = try #require(try CatalogTests.object(created)["id"] as? String)
        for video in [w.other, w.ready] {
            #expect(
                try CatalogTests.json(daemon, "POST", "/api/v1/playlists/\(playlist)/items", ["video_id": video], headers: w.viewer.headers).status
                    == 201)
        }
        let mine = try daemon.get("/playlists", headers: w.viewer.headers)
        #expect(
            mine.status == 200 && mine.body.contains("href=\"/playlists/\(playlist)\">&lt;script&gt;list&lt;/script&gt;</a>")
                && !mine.body.contains("<script>list"))
        #expect(mine.body.contains("2 videos") && mine.body.contains("id=\"playlist-create\""))

        let page = try daemon.get("/playlists/\(playlist)", headers: w.viewer.headers)
        #expect(
            page.status == 200 && page.body.contains("id=\"playlist-edit\"")
                && page.body.contains("<option value=\"private\" selected>Private</option>"))
        let firstItem = try #require(page.body.range(of: "/watch/\(w.other)?list=\(playlist)"))
        let secondItem = try #require(page.body.range(of: "/watch/\(w.ready)?list=\(playlist)"))
        #expect(firstItem.lowerBound < secondItem.lowerBound, "items in the playlist's order")
        #expect(page.body.contains("href=\"/watch/\(w.other)?list=\(playlist)\" class=\"playlist-link\""))

        // Private: the very 404 page of an unknown playlist, to anyone but the owner and admins.
        let hidden = try daemon.get("/playlists/\(playlist)", headers: Self.html)
        let unknown = try daemon.get("/playlists/nosuchlist", headers: Self.html)
        #expect(hidden.status == 404 && unknown.status == 404 && hidden.body == unknown.body)
        #expect(try daemon.get("/playlists/\(playlist)", headers: w.creator.headers).status == 404)
        #expect(try daemon.get("/playlists/\(playlist)", headers: AuthTests.bearer(daemon.adminToken)).status == 200)

        let patched = try CatalogTests.json(daemon, "PATCH", "/api/v1/playlists/\(playlist)", ["visibility": "public"], headers: w.viewer.headers)
        #expect(patched.status == 200)
        let shared = try daemon.get("/playlists/\(playlist)", headers: w.creator.headers)
        #expect(shared.status == 200 && !shared.body.contains("id=\"playlist-edit\"") && !shared.body.contains("item-remove"))
        #expect(shared.body.contains("&lt;script&gt;list&lt;/script&gt;"))
        #expect(shared.body.contains("id=\"playlist-play\" href=\"/watch/\(w.other)?list=\(playlist)\""))

        // Playing from the playlist: up next starts with its following video.
        let watch = try daemon.get("/watch/\(w.other)?list=\(playlist)", headers: w.creator.headers).body
        #expect(watch.contains("Next in <a href=\"/playlists/\(playlist)\">&lt;script&gt;list&lt;/script&gt;</a>"))
        #expect(watch.contains("href=\"/watch/\(w.ready)?list=\(playlist)\""), "\(watch)")
        let last = try daemon.get("/watch/\(w.ready)?list=\(playlist)", headers: w.creator.headers).body
        #expect(!last.contains("Next in") && last.contains(">Up next<"), "the playlist's last video has no next one in it")
        try await daemon.stop()
    }

    @Test func aViewerSubscribesSavesToAPlaylistPlaysFromItAndResumesFromHistoryInChromium() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("viewerflow")
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()
        let (video, token) = try await WebUITests.creatorVideo(daemon, dir: dir, title: "Flow <clip>")
        // A second video for ordering the playlist; it need not finish processing.
        let added = try CatalogTests.upload(
            daemon, try VideoUploadTests.makeClip(dir + "/second.mp4"), fields: ["title": "Second clip"], token: token)
        let second = try #require(try CatalogTests.object(added)["id"] as? String)
        _ = try CatalogTests.account(daemon, "vic", role: "viewer")
        let shots = dir + "/screenshots"
        let result = try await TestEnvironment.runOffPool(
            try TestEnvironment.testPython(),
            [
                TestEnvironment.pythonFixture("viewer_flows.py"), "http://127.0.0.1:\(daemon.port)", video, "vic", "password for vic", shots, second,
            ])
        let report = result.output.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(
            result.status == 0 && report?["ok"] as? Bool == true,
            "the viewer flows failed; screenshots of each page are in \(shots)\n\(result.output)")
        try await daemon.stop()
        if result.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
