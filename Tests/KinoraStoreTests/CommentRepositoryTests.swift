import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// Comments on both engines: counters by status, listings and who sees what, edits, the
/// author's deletion and its tombstones, pins and switches, mentions, and counters under
/// concurrent changes from separate database objects (as several nodes would).
@Suite struct CommentRepositoryTests {
    /// Every counter the store keeps for comments, recounted from the rows; empty when all agree.
    static func counterMismatches(_ database: KinoraDatabase) throws -> [String] {
        try database.sql.read { db in
            var wrong: [String] = []
            for row in try db.fetchAll(
                """
                SELECT v.id, v.comment_count,
                    (SELECT COUNT(*) FROM comments c WHERE c.video_id = v.id AND c.status = 'published') AS counted
                FROM videos v
                """)
            {
                let (id, stored, counted): (String, Int, Int) = (try row.value("id"), try row.value("comment_count"), try row.value("counted"))
                if stored != counted { wrong.append("video \(id): comment_count \(stored), counted \(counted)") }
            }
            for row in try db.fetchAll(
                """
                SELECT p.id, p.reply_count,
                    (SELECT COUNT(*) FROM comments c WHERE c.parent_id = p.id AND c.status IN ('published', 'deleted')) AS counted
                FROM comments p
                """)
            {
                let (id, stored, counted): (String, Int, Int) = (try row.value("id"), try row.value("reply_count"), try row.value("counted"))
                if stored != counted { wrong.append("comment \(id): reply_count \(stored), counted \(counted)") }
            }
            return wrong
        }
    }

    func expectExactCounters(_ fixture: CatalogFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let wrong = try Self.counterMismatches(fixture.database)
        #expect(wrong.isEmpty, "\(wrong)", sourceLocation: sourceLocation)
    }

    func commentCount(_ fixture: CatalogFixture, _ videoID: String) throws -> Int {
        try fixture.database.sql.read { try $0.scalar(Int.self, "SELECT comment_count FROM videos WHERE id = ?", [videoID]) } ?? -1
    }

    func trendingScore(_ fixture: CatalogFixture, _ videoID: String) throws -> Double {
        try fixture.database.sql.read { try $0.scalar(Double.self, "SELECT trending_score FROM videos WHERE id = ?", [videoID]) } ?? -1
    }

    @Test(arguments: StoreBackend.allCases)
    func commentsAndRepliesCountWhereTheirStatusSays(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let comments = fixture.database.comments
        let alice = try fixture.user("alice")
        let bob = try fixture.user("bob")
        try fixture.video("v1")
        try fixture.video("v2")
        let before = try trendingScore(fixture, "v1")

        let top = try comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "First!")
        #expect(top.authorUsername == "alice" && top.authorDisplayName == "alice" && top.status == .published && top.parentID == nil)
        #expect(try comments.find(top.id) == top)
        let reply = try comments.create(videoID: "v1", parentID: top.id, authorID: bob.id, body: "Second")
        let held = try comments.create(videoID: "v1", parentID: top.id, authorID: bob.id, body: "Buy now", status: .held)
        let deep = try comments.create(videoID: "v1", parentID: reply.id, authorID: alice.id, body: "Third, two levels down")
        #expect(deep.parentID == reply.id)
        #expect(try commentCount(fixture, "v1") == 3, "published comments at every depth; the held one is not counted")
        #expect(try comments.find(top.id)?.replyCount == 1 && comments.find(reply.id)?.replyCount == 1)
        #expect(try trendingScore(fixture, "v1") > before, "comments raise the trending score at once")

        #expect(throws: CommentError.parentOnAnotherVideo) {
            try comments.create(videoID: "v2", parentID: top.id, authorID: bob.id, body: "Wrong video")
        }
        #expect(throws: CommentError.parentNotFound) { try comments.create(videoID: "v1", parentID: "nope", authorID: bob.id, body: "x") }
        #expect(throws: CommentError.videoNotFound) { try comments.create(videoID: "nope", parentID: nil, authorID: bob.id, body: "x") }
        #expect(throws: CommentError.invalidStatus) {
            try comments.create(videoID: "v1", parentID: nil, authorID: bob.id, body: "x", status: .deleted)
        }
        #expect(try commentCount(fixture, "v2") == 0, "a refused comment counts nowhere")

        // A moderator approves the held reply, removes another, and publishes it again.
        #expect(try comments.setStatus(id: held.id, status: .published)?.status == .published)
        #expect(try commentCount(fixture, "v1") == 4 && comments.find(top.id)?.replyCount == 2)
        let removed = try #require(try comments.remove(id: reply.id, reason: "spam"))
        #expect(removed.status == .removed && removed.removedReason == "spam")
        #expect(try commentCount(fixture, "v1") == 3 && comments.find(top.id)?.replyCount == 1)
        #expect(try comments.remove(id: reply.id, reason: "spam, really")?.removedReason == "spam, really")
        #expect(try commentCount(fixture, "v1") == 3, "removing twice counts once")
        let restored = try #require(try comments.setStatus(id: reply.id, status: .published))
        #expect(restored.removedReason == nil && restored.replyCount == 1)
        #expect(try commentCount(fixture, "v1") == 4)
        #expect(throws: CommentError.invalidStatus) { try comments.setStatus(id: reply.id, status: .deleted) }
        #expect(try comments.setStatus(id: "nope", status: .held) == nil && comments.remove(id: "nope", reason: nil) == nil)
        try expectExactCounters(fixture)

        // The video's deletion takes its comments.
        try TestVideos.delete(fixture.database, "v1")
        #expect(try comments.find(top.id) == nil && fixture.count("comments") == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func topLevelCommentsPageNewestOrTopFirstEachWithItsFirstReplies(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let comments = fixture.database.comments
        let alice = try fixture.user("alice")
        try fixture.video("v1")
        try fixture.video("v2")
        func at(_ second: Double) -> Date { fixture.start.addingTimeInterval(second) }
        // c3a and c3b share a millisecond: the id decides between them.
        for (id, second) in [("c1", 1.0), ("c2", 2.0), ("c3a", 3.0), ("c3b", 3.0), ("c4", 4.5), ("c5", 5.25)] {
            try comments.create(id: id, videoID: "v1", parentID: nil, authorID: alice.id, body: id, now: at(second))
        }
        try comments.create(id: "other", videoID: "v2", parentID: nil, authorID: alice.id, body: "elsewhere", now: at(9))
        for index in 0..<5 {
            try comments.create(id: "r\(index)", videoID: "v1", parentID: "c2", authorID: alice.id, body: "reply \(index)", now: at(10 + Double(index)))
        }

        let first = try comments.listTopLevel(videoID: "v1", sort: .new, limit: 2)
        #expect(first.threads.map(\.comment.id) == ["c5", "c4"] && first.pinned == nil && first.nextCursor != nil)
        let created = try #require(first.threads.first?.comment.createdAt)
        #expect(abs(created.timeIntervalSince(at(5.25))) < 0.0005, "creation times keep their milliseconds")
        // A newer comment does not shift the pages already handed out.
        try comments.create(id: "late", videoID: "v1", parentID: nil, authorID: alice.id, body: "late", now: at(60))
        let second = try comments.listTopLevel(videoID: "v1", sort: .new, limit: 2, cursor: first.nextCursor)
        #expect(second.threads.map(\.comment.id) == ["c3b", "c3a"])
        let third = try comments.listTopLevel(videoID: "v1", sort: .new, limit: 2, cursor: second.nextCursor)
        #expect(third.threads.map(\.comment.id) == ["c2", "c1"] && third.nextCursor == nil)

        // c2's first three replies come with it, oldest first; the rest follow from its cursor.
        let thread = try #require(third.threads.first)
        #expect(thread.comment.replyCount == 5 && thread.moreRepliesCursor != nil)
        #expect(thread.replies.map(\.id) == ["r0", "r1", "r2"])
        let rest = try comments.listReplies(parentID: "c2", limit: 10, cursor: thread.moreRepliesCursor)
        #expect(rest.comments.map(\.id) == ["r3", "r4"] && rest.nextCursor == nil)
        let paged = try comments.listReplies(parentID: "c2", limit: 4)
        #expect(paged.comments.map(\.id) == ["r0", "r1", "r2", "r3"])
        #expect(try comments.listReplies(parentID: "c2", limit: 4, cursor: paged.nextCursor).comments.map(\.id) == ["r4"])
        let wider = try comments.listTopLevel(videoID: "v1", sort: .new, limit: 10, replies: 5)
        #expect(wider.threads.first { $0.comment.id == "c2" }?.replies.count == 5)
        #expect(wider.threads.first { $0.comment.id == "c2" }?.moreRepliesCursor == nil)
        #expect(wider.threads.filter { $0.comment.id != "c2" }.allSatisfy { $0.replies.isEmpty && $0.moreRepliesCursor == nil })
        #expect(try comments.listTopLevel(videoID: "v1", limit: 10, replies: 0).threads.allSatisfy(\.replies.isEmpty))

        // Top: likes minus dislikes, then newest.
        let voters = try (0..<3).map { try fixture.user("voter\($0)") }
        for voter in voters { _ = try fixture.database.ratings.rateComment(commentID: "c1", userID: voter.id, rating: .like) }
        _ = try fixture.database.ratings.rateComment(commentID: "c4", userID: voters[0].id, rating: .like)
        _ = try fixture.database.ratings.rateComment(commentID: "c4", userID: voters[1].id, rating: .like)
        _ = try fixture.database.ratings.rateComment(commentID: "c3a", userID: voters[0].id, rating: .like)
        _ = try fixture.database.ratings.rateComment(commentID: "c3b", userID: voters[0].id, rating: .like)
        _ = try fixture.database.ratings.rateComment(commentID: "c5", userID: voters[0].id, rating: .dislike)
        var order: [String] = []
        var cursor: String?
        repeat {
            let page = try comments.listTopLevel(videoID: "v1", sort: .top, limit: 2, cursor: cursor, viewerID: voters[0].id)
            order += page.threads.map(\.comment.id)
            if page.threads.first?.comment.id == "c1" { #expect(page.threads.first?.comment.myRating == .like) }
            cursor = page.nextCursor
        } while cursor != nil
        #expect(order == ["c1", "c4", "c3b", "c3a", "late", "c2", "c5"])

        #expect(throws: InvalidCursor.self, "a cursor of another sort") {
            try comments.listTopLevel(videoID: "v1", sort: .top, limit: 2, cursor: first.nextCursor)
        }
        #expect(throws: InvalidCursor.self) { try comments.listTopLevel(videoID: "v1", limit: 2, cursor: "not-a-cursor") }
        #expect(throws: InvalidCursor.self) { try comments.listReplies(parentID: "c2", limit: 2, cursor: first.nextCursor) }
    }

    @Test(arguments: StoreBackend.allCases)
    func heldAndRemovedCommentsShowOnlyToTheirAuthorAndModeratorsAndTombstonesOnlyWithReplies(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let comments = fixture.database.comments
        let alice = try fixture.user("alice")
        let bob = try fixture.user("bob")
        try fixture.video("v1")
        func at(_ second: Double) -> Date { fixture.start.addingTimeInterval(second) }
        try comments.create(id: "open", videoID: "v1", parentID: nil, authorID: alice.id, body: "hello", now: at(1))
        try comments.create(id: "held", videoID: "v1", parentID: nil, authorID: bob.id, body: "link spam", status: .held, now: at(2))
        try comments.create(id: "gone", videoID: "v1", parentID: nil, authorID: bob.id, body: "rude", now: at(3))
        try comments.remove(id: "gone", reason: "harassment")
        try comments.create(id: "thread", videoID: "v1", parentID: nil, authorID: bob.id, body: "I regret this", now: at(4))
        try comments.create(id: "answer", videoID: "v1", parentID: "thread", authorID: alice.id, body: "too late", now: at(5))
        try comments.create(id: "heldreply", videoID: "v1", parentID: "open", authorID: bob.id, body: "spam", status: .held, now: at(6))
        #expect(try comments.deleteByAuthor("thread") == .tombstoned)

        func visible(_ viewer: String?, hidden: Bool = false) throws -> [String] {
            try comments.listTopLevel(videoID: "v1", limit: 10, viewerID: viewer, includeHidden: hidden).threads.map(\.comment.id)
        }
        #expect(try visible(nil) == ["thread", "open"])
        #expect(try visible(alice.id) == ["thread", "open"])
        #expect(try visible(bob.id) == ["thread", "gone", "held", "open"], "an author sees their own held and removed comments")
        #expect(try visible(nil, hidden: true) == ["thread", "gone", "held", "open"])
        let tombstone = try #require(try comments.listTopLevel(videoID: "v1", limit: 10).threads.first)
        #expect(tombstone.comment.isTombstone && tombstone.comment.body.isEmpty && tombstone.replies.map(\.id) == ["answer"])

        func replies(_ viewer: String?, hidden: Bool = false) throws -> [String] {
            try comments.listReplies(parentID: "open", limit: 10, viewerID: viewer, includeHidden: hidden).comments.map(\.id)
        }
        #expect(try replies(nil) == [] && replies(alice.id) == [] && replies(bob.id) == ["heldreply"] && replies(nil, hidden: true) == ["heldreply"])
        let bobsView = try comments.listTopLevel(videoID: "v1", limit: 10, viewerID: bob.id).threads.first { $0.comment.id == "open" }
        #expect(bobsView?.replies.map(\.id) == ["heldreply"], "the preview of replies follows the same rule")

        // A tombstone whose replies are all hidden is hidden too.
        try comments.remove(id: "answer", reason: "spam")
        #expect(try visible(nil) == ["open"])
        try expectExactCounters(fixture)
    }

    @Test(arguments: StoreBackend.allCases)
    func editsKeepThePreviousTextsInOrder(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let comments = fixture.database.comments
        let alice = try fixture.user("alice")
        try fixture.video("v1")
        let comment = try comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "frist", now: fixture.start)
        #expect(comment.editedAt == nil)
        let edit = fixture.start.addingTimeInterval(30)
        let edited = try #require(try comments.edit(id: comment.id, body: "first", now: edit))
        #expect(edited.body == "first" && edited.editedAt.map { abs($0.timeIntervalSince(edit)) < 0.0005 } == true)
        // Twice within one millisecond: both previous texts are kept, in order.
        try comments.edit(id: comment.id, body: "first!", now: edit)
        #expect(try comments.edits(comment.id).map(\.body) == ["frist", "first"])
        #expect(try comments.find(comment.id)?.body == "first!")
        // The pipeline's verdict on the new text comes with it.
        #expect(try comments.edit(id: comment.id, body: "first! buy now", status: .held)?.status == .held)
        #expect(try commentCount(fixture, "v1") == 0)
        #expect(try comments.edits(comment.id).count == 3)
        #expect(try comments.edit(id: "nope", body: "x") == nil)
        #expect(try comments.edits("nope").isEmpty)

        try comments.create(id: "reply", videoID: "v1", parentID: comment.id, authorID: alice.id, body: "me too")
        #expect(try comments.deleteByAuthor(comment.id) == .tombstoned)
        #expect(try comments.edits(comment.id).isEmpty, "a deleted comment keeps no text")
        #expect(throws: CommentError.deleted) { try comments.edit(id: comment.id, body: "back") }
        #expect(throws: CommentError.deleted) { try comments.setStatus(id: comment.id, status: .published) }
        #expect(throws: CommentError.deleted) { try comments.remove(id: comment.id, reason: nil) }
    }

    @Test(arguments: StoreBackend.allCases)
    func anAuthorsDeletionRemovesTheRowOrLeavesATombstoneWhileItHasReplies(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let comments = fixture.database.comments
        let alice = try fixture.user("alice")
        let bob = try fixture.user("bob")
        try fixture.video("v1")
        let lone = try comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "alone")
        try comments.pin(videoID: "v1", commentID: lone.id)
        #expect(try comments.deleteByAuthor(lone.id) == .deleted)
        #expect(try comments.find(lone.id) == nil && comments.pinnedCommentID(videoID: "v1") == nil, "the pin goes with the comment")
        #expect(try comments.deleteByAuthor(lone.id) == nil)
        #expect(try commentCount(fixture, "v1") == 0)

        // a ← b ← c: deleting a and b leaves tombstones; deleting c then takes all three.
        let a = try comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "a")
        let b = try comments.create(videoID: "v1", parentID: a.id, authorID: bob.id, body: "b")
        let c = try comments.create(videoID: "v1", parentID: b.id, authorID: alice.id, body: "c")
        let sibling = try comments.create(videoID: "v1", parentID: nil, authorID: bob.id, body: "unrelated")
        #expect(try comments.deleteByAuthor(a.id) == .tombstoned)
        #expect(try comments.deleteByAuthor(a.id) == .tombstoned, "deleting a tombstone again changes nothing")
        #expect(try commentCount(fixture, "v1") == 3)
        #expect(try comments.deleteByAuthor(b.id) == .tombstoned)
        #expect(try commentCount(fixture, "v1") == 2)
        #expect(try comments.find(a.id)?.replyCount == 1, "a tombstone with replies still counts as a reply")
        try expectExactCounters(fixture)
        #expect(try comments.deleteByAuthor(c.id) == .deleted)
        #expect(try comments.find(a.id) == nil && comments.find(b.id) == nil)
        #expect(try comments.find(sibling.id) != nil && commentCount(fixture, "v1") == 1)
        try expectExactCounters(fixture)

        // A reply that is not public keeps its parent as a tombstone too (or it would go with it).
        let parent = try comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "p")
        try comments.create(videoID: "v1", parentID: parent.id, authorID: bob.id, body: "held", status: .held)
        #expect(try comments.deleteByAuthor(parent.id) == .tombstoned)
        #expect(try fixture.count("comments") == 3)
    }

    @Test(arguments: StoreBackend.allCases)
    func aCreatorPinsOneCommentAndTurnsCommentsOffPerVideoOrChannel(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let comments = fixture.database.comments
        let alice = try fixture.user("alice")
        let channel = try #require(try fixture.database.channels.list(ownerID: alice.id).first)
        try fixture.video("v1", owner: alice.id, channel: channel.id)
        try fixture.video("v2", owner: alice.id)
        func at(_ second: Double) -> Date { fixture.start.addingTimeInterval(second) }
        for index in 0..<4 {
            try comments.create(id: "c\(index)", videoID: "v1", parentID: nil, authorID: alice.id, body: "\(index)", now: at(Double(index)))
        }
        try comments.create(id: "reply", videoID: "v1", parentID: "c0", authorID: alice.id, body: "r", now: at(9))
        try comments.create(id: "held", videoID: "v1", parentID: nil, authorID: alice.id, body: "h", status: .held, now: at(9))
        try comments.create(id: "elsewhere", videoID: "v2", parentID: nil, authorID: alice.id, body: "e")

        try comments.pin(videoID: "v1", commentID: "c1")
        #expect(try comments.pinnedCommentID(videoID: "v1") == "c1")
        let first = try comments.listTopLevel(videoID: "v1", limit: 2)
        #expect(first.pinned?.comment.id == "c1" && first.threads.map(\.comment.id) == ["c3", "c2"])
        let second = try comments.listTopLevel(videoID: "v1", limit: 2, cursor: first.nextCursor)
        #expect(second.pinned == nil && second.threads.map(\.comment.id) == ["c0"], "the pinned comment is on no page")
        #expect(second.threads.first?.replies.map(\.id) == ["reply"])

        #expect(throws: CommentError.commentOnAnotherVideo) { try comments.pin(videoID: "v1", commentID: "elsewhere") }
        #expect(throws: CommentError.commentOnAnotherVideo) { try comments.pin(videoID: "v1", commentID: "nope") }
        #expect(throws: CommentError.notPinnable) { try comments.pin(videoID: "v1", commentID: "reply") }
        #expect(throws: CommentError.notPinnable) { try comments.pin(videoID: "v1", commentID: "held") }
        #expect(throws: CommentError.videoNotFound) { try comments.pin(videoID: "nope", commentID: nil) }
        #expect(try comments.pinnedCommentID(videoID: "v1") == "c1", "a refused pin changes nothing")
        // Held by a moderator: no longer pinned, and not pinned again by being published.
        try comments.setStatus(id: "c1", status: .held)
        #expect(try comments.pinnedCommentID(videoID: "v1") == nil)
        try comments.setStatus(id: "c1", status: .published)
        #expect(try comments.listTopLevel(videoID: "v1", limit: 10).pinned == nil)
        try comments.pin(videoID: "v1", commentID: "c2")
        try comments.pin(videoID: "v1", commentID: nil)
        #expect(try comments.pinnedCommentID(videoID: "v1") == nil)

        #expect(try comments.commentsAllowed(videoID: "v1") == true && comments.commentsAllowed(videoID: "v2") == true)
        #expect(try comments.setCommentsEnabled(videoID: "v1", false))
        #expect(try comments.commentsEnabled(videoID: "v1") == false && comments.commentsAllowed(videoID: "v1") == false)
        try comments.setCommentsEnabled(videoID: "v1", true)
        #expect(try comments.setCommentsEnabled(channelID: channel.id, false))
        #expect(try comments.commentsEnabled(channelID: channel.id) == false && comments.commentsEnabled(videoID: "v1") == true)
        #expect(try comments.commentsAllowed(videoID: "v1") == false, "the channel's switch turns its videos' comments off")
        #expect(try comments.commentsAllowed(videoID: "v2") == true, "a video without a channel has its own switch only")
        try comments.setCommentsEnabled(channelID: channel.id, true)
        #expect(try comments.commentsAllowed(videoID: "v1") == true)
        #expect(try comments.commentsAllowed(videoID: "nope") == nil && comments.commentsEnabled(channelID: "nope") == nil)
        #expect(try !comments.setCommentsEnabled(videoID: "nope", false) && !comments.setCommentsEnabled(channelID: "nope", false))
    }

    @Test(arguments: StoreBackend.allCases)
    func mentionsFindAccountsWhateverTheCase(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let mixed = try fixture.user("MixedCase")
        let plain = try fixture.user("plain")
        let found = try fixture.database.comments.usernames(for: ["mixedcase", "MIXEDCASE", "Plain", "nobody", ""])
        #expect(found == ["mixedcase": mixed.id, "MIXEDCASE": mixed.id, "Plain": plain.id])
        #expect(try fixture.database.comments.usernames(for: []).isEmpty)
    }

    /// Eight nodes post comments and replies, flip their status and delete them, all at once
    /// and in one thread, while every node also moderates the same few replies (as moderators
    /// racing in the queue would): the counters end equal to a recount.
    @Test(arguments: StoreBackend.allCases)
    func concurrentChangesKeepTheCountersExact(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let authors = try (0..<8).map { try fixture.user("author\($0)") }
        try fixture.video("v1")
        let root = try fixture.database.comments.create(videoID: "v1", parentID: nil, authorID: authors[0].id, body: "root")
        let shared = try (0..<4).map {
            try fixture.database.comments.create(videoID: "v1", parentID: root.id, authorID: authors[1].id, body: "shared \($0)").id
        }
        let statuses: [CommentStatus] = [.published, .held, .removed]
        let outcomes = try StoreNodes.run(8, backend, fixture.database) { node, index in
            let comments = node.comments
            var mine: [String] = []
            for step in 0..<12 {
                for (offset, id) in shared.enumerated() {
                    try comments.setStatus(id: id, status: statuses[(index + step + offset) % statuses.count])
                }
                let parent = step % 3 == 0 ? nil : (step % 3 == 1 ? root.id : mine.last ?? root.id)
                let status: CommentStatus = step % 4 == 3 ? .held : .published
                mine.append(try comments.create(videoID: "v1", parentID: parent, authorID: authors[index].id, body: "\(index)-\(step)", status: status).id)
                if step % 5 == 4 { try comments.setStatus(id: mine[step - 2], status: step % 2 == 0 ? .removed : .held) }
                if step % 6 == 5 { _ = try comments.deleteByAuthor(mine[step - 4]) }
                if index == 0 { try comments.setStatus(id: root.id, status: step % 2 == 0 ? .held : .published) }
            }
        }
        for outcome in outcomes { try outcome.get() }
        try expectExactCounters(fixture)
        #expect(try commentCount(fixture, "v1") > 0)
    }
}
