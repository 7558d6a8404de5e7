import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// The outbox, the inbox and the choices behind them, on both engines.
@Suite struct NotificationRepositoryTests {
    static func setUp(_ backend: StoreBackend, _ label: String) throws -> (KinoraDatabase, ChannelRecord) {
        let database = try backend.makeDatabase(label)
        try database.migrate()
        try database.users.create(UserRecord(id: "maker", username: "maker", role: "creator", passwordHash: "$2b$12$notarealhash"))
        for (id, email) in [("fan", "fan@example.org"), ("quiet", "quiet@example.org"), ("nomail", nil), ("unverified", "u@example.org")] {
            try database.users.create(
                UserRecord(id: id, username: id, role: "viewer", passwordHash: "$2b$12$notarealhash"),
                email: email.map { UserEmail(address: $0, verified: id != "unverified") })
        }
        let channel = ChannelRecord(ownerID: "maker", handle: "maker-news", name: "Maker")
        try database.channels.create(channel)
        for id in ["fan", "quiet", "nomail", "unverified"] { try database.subscriptions.subscribe(userID: id, channelID: channel.id) }
        return (database, channel)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFanOutReachesWhoChoseItOnceAndTheInboxPages(_ backend: StoreBackend) throws {
        let (database, channel) = try Self.setUp(backend, "notify-fanout")
        try database.notificationPreferences.set(userID: "quiet", [("video.published", "email", false), ("video.published", "in_app", false)])
        let mail = [OutboxDelivery(channel: "mail", kind: "email", byDefault: true, addressing: .email)]
        func raise() throws -> Int {
            try database.outbox.fanOut(
                .subscribers(channelID: channel.id), event: "video.published", data: #"{"video_id":"v1"}"#, keyPrefix: "video.published-v1-",
                deliveries: mail, inApp: true
            ).added
        }
        // Only the verified address of someone who did not say no gets mail.
        #expect(try raise() == 1)
        #expect(try raise() == 0, "raising the event again adds nothing")
        let queued = try database.outbox.log(state: nil, channel: nil, event: nil, limit: 10)
        #expect(queued.map(\.userID) == ["fan"] && queued.first?.idempotencyKey == "video.published-v1-mail-fan")
        // The inbox: everyone but the one who turned it off, once.
        for id in ["fan", "nomail", "unverified"] { #expect(try database.inbox.unreadCount(userID: id) == 1, "\(id)") }
        #expect(try database.inbox.unreadCount(userID: "quiet") == 0)

        // A choice defaulting to off is heard only by who turned it on.
        try database.notificationPreferences.set(userID: "nomail", [("comment.reply", "in_app", true)])
        try database.outbox.fanOut(
            .users(["fan", "nomail"]), event: "comment.reply", data: "{}", keyPrefix: "comment.reply-c1-", deliveries: [], inApp: false)
        #expect(try database.inbox.unreadCount(userID: "nomail") == 2 && database.inbox.unreadCount(userID: "fan") == 1)
        #expect(try database.notificationPreferences.isEnabled(userID: "quiet", event: "video.published", channel: "email", byDefault: true) == false)
        #expect(try database.notificationPreferences.choices(userID: "quiet")["video.published"] == ["email": false, "in_app": false])

        // Newest first, a page at a time; reading one and then all.
        for index in 2...4 {
            try database.inbox.add(userID: "fan", event: "comment.reply", dedupeKey: "k\(index)", data: #"{"n":\#(index)}"#)
        }
        #expect(try !database.inbox.add(userID: "fan", event: "comment.reply", dedupeKey: "k2", data: "{}"))
        let first = try database.inbox.page(userID: "fan", limit: 2, cursor: nil)
        #expect(first.items.map(\.data) == [#"{"n":4}"#, #"{"n":3}"#] && first.unreadCount == 4)
        let rest = try database.inbox.page(userID: "fan", limit: 5, cursor: try #require(first.nextCursor))
        #expect(rest.items.count == 2 && rest.nextCursor == nil)
        #expect(throws: InvalidCursor.self) { try database.inbox.page(userID: "fan", limit: 2, cursor: "x") }
        let oldest = try #require(rest.items.last)
        #expect(try database.inbox.after(userID: "fan", id: oldest.id).map(\.data) == [#"{"n":2}"#, #"{"n":3}"#, #"{"n":4}"#])
        #expect(try database.inbox.markRead(userID: "fan", id: oldest.id))
        #expect(try !database.inbox.markRead(userID: "nomail", id: oldest.id), "another account's notification")
        #expect(try database.inbox.unreadCount(userID: "fan") == 3)
        #expect(try database.inbox.markAllRead(userID: "fan") == 3 && database.inbox.unreadCount(userID: "fan") == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func aFanOutGoesASliceAtATimeAndACutShortOneGoesOnWhereItStopped(_ backend: StoreBackend) throws {
        let (database, channel) = try Self.setUp(backend, "notify-slices")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let mail = [OutboxDelivery(channel: "mail", kind: "email", byDefault: true, addressing: .email)]
        for index in 0..<7 {
            let id = "sub\(index)"
            try database.users.create(
                UserRecord(id: id, username: id, role: "viewer", passwordHash: "$2b$12$notarealhash"),
                email: UserEmail(address: "\(id)@example.org", verified: true))
            try database.subscriptions.subscribe(userID: id, channelID: channel.id)
        }
        // Eleven subscribers (four from setUp), four a slice: the first two slices, then a stop.
        let key = "video.published-v2-"
        #expect(try database.fanouts.begin(key: key, event: "video.published", occurrence: "v2", now: start) == FanoutProgress(finished: false, after: nil))
        func slice(after: String?) throws -> FanOutSlice {
            try database.outbox.fanOut(
                .subscribers(channelID: channel.id), event: "video.published", data: "{}", keyPrefix: key, deliveries: mail, inApp: true,
                after: after, limit: 4, progress: key, now: start)
        }
        let first = try slice(after: nil)
        #expect(first.next == "sub0")
        let second = try slice(after: first.next)
        #expect(second.next == "sub4")
        #expect(try database.fanouts.unfinished(event: "video.published", since: start.addingTimeInterval(-60)) == ["v2"])
        // Taken up where the stored place says: the rest once, nobody twice.
        let resumed = try database.fanouts.begin(key: key, event: "video.published", occurrence: "v2", now: start)
        #expect(resumed == FanoutProgress(finished: false, after: second.next))
        var after = resumed.after
        var slices = 2
        repeat {
            after = try slice(after: after).next
            slices += 1
        } while after != nil
        #expect(slices == 3, "eleven accounts in slices of four")
        let queued = try database.outbox.log(state: nil, channel: nil, event: "video.published", limit: 50)
        // Mail: every verified address (the seven new, "fan" and "quiet"); the inbox: all eleven.
        #expect(queued.count == 9 && Set(queued.map(\.idempotencyKey)).count == 9, "\(queued.map(\.idempotencyKey))")
        for id in ["fan", "quiet", "nomail", "unverified"] + (0..<7).map({ "sub\($0)" }) {
            #expect(try database.inbox.unreadCount(userID: id) == 1, "\(id)")
        }
        #expect(try database.fanouts.begin(key: key, event: "video.published", occurrence: "v2", now: start).finished)
        #expect(try database.fanouts.unfinished(event: "video.published", since: start.addingTimeInterval(-60)).isEmpty)
        // A day on, an unfinished one is no longer looked at.
        #expect(try database.fanouts.begin(key: "video.published-v3-", event: "video.published", occurrence: "v3", now: start).finished == false)
        #expect(try database.fanouts.unfinished(event: "video.published", since: start.addingTimeInterval(1)).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aScheduledVideoIsDueForAnnouncementOnceItsTimeComes(_ backend: StoreBackend) throws {
        let (database, channel) = try Self.setUp(backend, "notify-scheduled")
        let now = Date()
        func video(_ id: String, publishAt: Date?, ready: Bool = true) throws {
            try database.videos.create(
                VideoRecord(
                    id: id, title: id, visibility: "public", originalKey: nil, originalName: nil, originalSize: 1, duration: 1, width: 2, height: 2,
                    mediaInfo: nil, ownerID: "maker", channelID: channel.id, publishAt: publishAt, now: now.addingTimeInterval(-7200)))
            if ready { try database.videos.publish(id, presentation: "{}", ready: true, now: now.addingTimeInterval(-7000)) }
        }
        try video("released", publishAt: now.addingTimeInterval(-60))
        try video("announced", publishAt: now.addingTimeInterval(-30))
        try video("later", publishAt: now.addingTimeInterval(3600))
        try video("long-ago", publishAt: now.addingTimeInterval(-3 * 86_400))
        try video("unscheduled", publishAt: nil)
        try video("transcoding", publishAt: now.addingTimeInterval(-60), ready: false)
        _ = try database.fanouts.begin(key: "video.published-announced-", event: "video.published", occurrence: "announced", now: now)
        #expect(try database.fanouts.unannouncedReleases(since: now.addingTimeInterval(-86_400), now: now) == ["released"])
        #expect(try database.fanouts.unannouncedReleases(since: now.addingTimeInterval(-86_400), now: now.addingTimeInterval(7200)) == ["released", "later"])
    }

    @Test(arguments: StoreBackend.allCases)
    func claimsLeaseRetryAndFinishMessagesAndASecretIsNotKept(_ backend: StoreBackend) throws {
        let (database, _) = try Self.setUp(backend, "notify-outbox")
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for key in ["a", "b", "c"] {
            #expect(try database.outbox.enqueue(key: key, userID: "fan", event: "comment.reply", channel: "mail", data: "{}", now: start))
        }
        #expect(try database.outbox.enqueue(key: "r", userID: "fan", event: "account.password_reset", channel: "mail", data: #"{"reset_url":"secret"}"#, now: start))
        #expect(try !database.outbox.enqueue(key: "a", userID: "fan", event: "comment.reply", channel: "mail", data: "{}", now: start))

        let claimed = try database.outbox.claim(limit: 3, lease: 60, now: start)
        #expect(claimed.map(\.idempotencyKey) == ["a", "b", "c"] && claimed.allSatisfy { $0.attempts == 1 && $0.state == "sending" })
        // Leased: only the fourth is claimable now.
        #expect(try database.outbox.claim(limit: 10, lease: 60, now: start).map(\.idempotencyKey) == ["r"])
        try database.outbox.delivered(claimed[0].id, providerID: "p-1", now: start)
        try database.outbox.retry(claimed[1].id, reason: "421 busy", at: start.addingTimeInterval(30), now: start)
        #expect(try database.outbox.claim(limit: 10, lease: 60, now: start.addingTimeInterval(10)).isEmpty, "not due yet")
        let again = try database.outbox.claim(limit: 10, lease: 60, now: start.addingTimeInterval(31))
        #expect(again.map(\.idempotencyKey) == ["b"] && again.first?.attempts == 2 && again.first?.lastError == "421 busy")
        try database.outbox.finish(again[0].id, state: "failed", error: "550 no such user", now: start.addingTimeInterval(31))

        // "c" was claimed and never finished (its sender died): claimable once its lease ran out.
        let expired = try database.outbox.claim(limit: 10, lease: 60, now: start.addingTimeInterval(61))
        #expect(Set(expired.map(\.idempotencyKey)) == ["c", "r"])
        let reset = try #require(expired.first { $0.idempotencyKey == "r" })
        try database.outbox.delivered(reset.id, providerID: nil, now: start.addingTimeInterval(61))
        #expect(try database.outbox.log(state: "delivered", channel: nil, event: "account.password_reset", limit: 5).first?.data == "{}")
        // One node (SQLite): what was `sending` at a restart is due again at once.
        #expect(try database.outbox.releaseInterrupted(now: start.addingTimeInterval(62)) == 1)
        #expect(try database.outbox.claim(limit: 10, lease: 60, now: start.addingTimeInterval(62)).map(\.idempotencyKey) == ["c"])
        #expect(try database.outbox.counts() == ["delivered": 2, "failed": 1, "sending": 1])
        let failed = try database.outbox.log(state: "failed", channel: "mail", event: nil, limit: 5)
        #expect(failed.map(\.lastError) == ["550 no such user"])
    }
}
