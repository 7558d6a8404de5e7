import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

/// Database objects of their own, one per thread, as separate nodes (PostgreSQL: another pool
/// on the same database) or processes (SQLite: another pool on the same file) would have.
enum StoreNodes {
    static func open(_ backend: StoreBackend, like database: KinoraDatabase) throws -> KinoraDatabase {
        switch backend {
        case .sqlite: try KinoraDatabase(path: database.path)
        case .postgres: try PostgresServer.reopenKinoraDatabase(like: database)
        }
    }

    /// Runs `body` on `count` threads released at once, each with its own database object;
    /// the results in thread order.
    static func run<T>(
        _ count: Int, _ backend: StoreBackend, _ database: KinoraDatabase, _ body: @escaping @Sendable (KinoraDatabase, Int) throws -> T
    ) throws -> [Result<T, any Error>] {
        let nodes = try (0..<count).map { _ in try open(backend, like: database) }
        let results = Locked<[Int: Result<T, any Error>]>([:])
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for (index, node) in nodes.enumerated() {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                start.wait()
                let result = Result { try body(node, index) }
                results.change { $0[index] = result }
            }
        }
        for _ in nodes { start.signal() }
        group.wait()
        return (0..<count).map { results.value[$0]! }
    }
}

/// Likes and dislikes of videos and comments on both engines, and their counters exact under
/// a thousand concurrent changes from several database objects.
@Suite struct RatingRepositoryTests {
    /// The video's (likes, dislikes) as stored and as recounted from the rating rows.
    func videoCounts(_ database: KinoraDatabase, _ id: String) throws -> (stored: [Int], counted: [Int]) {
        try counts(database, table: "videos", ratings: "video_ratings", key: "video_id", id)
    }

    /// The comment's (likes, dislikes, score) as stored and as recounted.
    func commentCounts(_ database: KinoraDatabase, _ id: String) throws -> (stored: [Int], counted: [Int]) {
        try counts(database, table: "comments", ratings: "comment_ratings", key: "comment_id", id)
    }

    func counts(_ database: KinoraDatabase, table: String, ratings: String, key: String, _ id: String) throws -> (stored: [Int], counted: [Int]) {
        try database.sql.read { db in
            let stored = try #require(try db.fetchOne("SELECT likes, dislikes FROM \(table) WHERE id = ?", [id]))
            let counted = try #require(
                try db.fetchOne(
                    """
                    SELECT COALESCE(SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END), 0) AS likes,
                        COALESCE(SUM(CASE WHEN value = -1 THEN 1 ELSE 0 END), 0) AS dislikes
                    FROM \(ratings) WHERE \(key) = ?
                    """, [id]))
            var storedValues: [Int] = [try stored.value("likes"), try stored.value("dislikes")]
            var countedValues: [Int] = [try counted.value("likes"), try counted.value("dislikes")]
            if table == "comments" {
                storedValues.append(try db.scalar(Int.self, "SELECT score FROM comments WHERE id = ?", [id]) ?? -999)
                countedValues.append(countedValues[0] - countedValues[1])
            }
            return (storedValues, countedValues)
        }
    }

    /// The video's stored trending score, and what the README's formula gives from its columns.
    func trending(_ database: KinoraDatabase, _ id: String) throws -> (stored: Double, expected: Double) {
        try database.sql.read { db in
            let row = try #require(
                try db.fetchOne("SELECT views, likes, dislikes, comment_count, trending_score, listed_at FROM videos WHERE id = ?", [id]))
            let listedAt: Date = try row.value("listed_at")
            let (views, likes, dislikes, comments): (Int, Int, Int, Int) =
                (try row.value("views"), try row.value("likes"), try row.value("dislikes"), try row.value("comment_count"))
            let engagement = Double(max(1, views + 4 * likes - 2 * dislikes + 6 * comments))
            return (try row.value("trending_score"), log10(engagement) + listedAt.timeIntervalSince1970 / 45000)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func oneRatingPerAccountSwitchableWithCountsAndTrendingAtOnce(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let ratings = fixture.database.ratings
        let alice = try fixture.user("alice")
        let bob = try fixture.user("bob")
        try fixture.video("v1")
        try fixture.video("v2")
        let comment = try fixture.database.comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "hi")

        #expect(try ratings.rateVideo(videoID: "v1", userID: alice.id, rating: .like) == RatingCounts(likes: 1, dislikes: 0, myRating: .like))
        #expect(try ratings.rateVideo(videoID: "v1", userID: alice.id, rating: .like) == RatingCounts(likes: 1, dislikes: 0, myRating: .like))
        #expect(try ratings.rateVideo(videoID: "v1", userID: bob.id, rating: .like) == RatingCounts(likes: 2, dislikes: 0, myRating: .like))
        let liked = try trending(fixture.database, "v1")
        #expect(abs(liked.stored - liked.expected) < 1e-6, "\(liked)")
        #expect(try ratings.rateVideo(videoID: "v1", userID: alice.id, rating: .dislike) == RatingCounts(likes: 1, dislikes: 1, myRating: .dislike))
        #expect(try ratings.myVideoRating(videoID: "v1", userID: alice.id) == .dislike)
        #expect(try ratings.myRatings(videoIDs: ["v1", "v2", "nope"], userID: alice.id) == ["v1": .dislike])
        #expect(try ratings.rateVideo(videoID: "v1", userID: alice.id, rating: .none) == RatingCounts(likes: 1, dislikes: 0, myRating: .none))
        #expect(try ratings.rateVideo(videoID: "v1", userID: alice.id, rating: .none) == RatingCounts(likes: 1, dislikes: 0, myRating: .none))
        #expect(try ratings.myVideoRating(videoID: "v1", userID: alice.id) == .none)
        #expect(try ratings.myRatings(videoIDs: [String](), userID: alice.id).isEmpty)
        let after = try trending(fixture.database, "v1")
        #expect(abs(after.stored - after.expected) < 1e-6 && after.stored < liked.stored, "\(after)")
        let (stored, counted) = try videoCounts(fixture.database, "v1")
        #expect(stored == counted)

        #expect(try ratings.rateComment(commentID: comment.id, userID: bob.id, rating: .dislike) == RatingCounts(likes: 0, dislikes: 1, myRating: .dislike))
        #expect(try ratings.rateComment(commentID: comment.id, userID: alice.id, rating: .dislike) == RatingCounts(likes: 0, dislikes: 2, myRating: .dislike))
        #expect(try ratings.rateComment(commentID: comment.id, userID: bob.id, rating: .like) == RatingCounts(likes: 1, dislikes: 1, myRating: .like))
        #expect(try fixture.database.comments.find(comment.id, viewerID: bob.id)?.myRating == .like)
        #expect(try fixture.database.comments.find(comment.id)?.score == 0)
        #expect(try ratings.myCommentRatings(commentIDs: [comment.id], userID: alice.id) == [comment.id: .dislike])
        let onComment = try commentCounts(fixture.database, comment.id)
        #expect(onComment.stored == onComment.counted && onComment.stored == [1, 1, 0])

        #expect(try ratings.rateVideo(videoID: "nope", userID: alice.id, rating: .like) == nil)
        #expect(try ratings.rateVideo(videoID: "nope", userID: alice.id, rating: .none) == nil)
        #expect(try ratings.rateComment(commentID: "nope", userID: alice.id, rating: .dislike) == nil)
        #expect(try ratings.rateComment(commentID: "nope", userID: alice.id, rating: .none) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func withdrawingAnAccountsRatingsLeavesEveryoneElsesCounted(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let ratings = fixture.database.ratings
        let alice = try fixture.user("alice")
        let bob = try fixture.user("bob")
        try fixture.video("v1")
        try fixture.video("v2")
        let comment = try fixture.database.comments.create(videoID: "v1", parentID: nil, authorID: alice.id, body: "hi")
        for user in [alice, bob] {
            _ = try ratings.rateVideo(videoID: "v1", userID: user.id, rating: .like)
            _ = try ratings.rateComment(commentID: comment.id, userID: user.id, rating: .dislike)
        }
        _ = try ratings.rateVideo(videoID: "v2", userID: alice.id, rating: .dislike)
        try ratings.withdrawAll(userID: alice.id)
        try fixture.database.accountDeletions.finish(userID: alice.id)
        #expect(try videoCounts(fixture.database, "v1").stored == [1, 0])
        #expect(try videoCounts(fixture.database, "v2").stored == [0, 0])
        #expect(try commentCounts(fixture.database, comment.id).stored == [0, 1, -1])
        // Her comment stays, without an author.
        let orphan = try #require(try fixture.database.comments.find(comment.id))
        #expect(orphan.authorID == nil && orphan.authorUsername == nil)
    }

    /// 1,000 rating changes of one video, and 1,000 of one comment, by 200 accounts (five
    /// each, like, dislike or none at random) over eight threads with a database object each.
    /// An account's five changes run on five threads at about the same moment, so the same
    /// rating row is fought over: without its lock, PostgreSQL counts some changes twice.
    @Test(arguments: StoreBackend.allCases)
    func aThousandConcurrentRatingChangesEndWithCountsEqualToARecount(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let author = try fixture.user("author")
        try fixture.video("v1")
        let comment = try fixture.database.comments.create(videoID: "v1", parentID: nil, authorID: author.id, body: "rate me")
        let accounts = try (0..<200).map { try fixture.user("acct\($0)", role: "viewer").id }
        let changes = 1000
        let threads = 8
        let plan = (0..<changes).map { _ in (Rating.allCases.randomElement()!, Rating.allCases.randomElement()!) }
        let outcomes = try StoreNodes.run(threads, backend, fixture.database) { node, thread in
            var mismatches: [String] = []
            for change in stride(from: thread, to: changes, by: threads) {
                let account = accounts[change / 5]
                let (videoRating, commentRating) = plan[change]
                let onVideo = try node.ratings.rateVideo(videoID: "v1", userID: account, rating: videoRating)
                let onComment = try node.ratings.rateComment(commentID: comment.id, userID: account, rating: commentRating)
                if onVideo?.myRating != videoRating || onComment?.myRating != commentRating { mismatches.append("change \(change)") }
            }
            return mismatches
        }
        for outcome in outcomes { #expect(try outcome.get() == []) }

        let onVideo = try videoCounts(fixture.database, "v1")
        #expect(onVideo.stored == onVideo.counted, "video (likes, dislikes): stored \(onVideo.stored), recounted \(onVideo.counted)")
        let onComment = try commentCounts(fixture.database, comment.id)
        #expect(onComment.stored == onComment.counted, "comment (likes, dislikes, score): stored \(onComment.stored), recounted \(onComment.counted)")
        #expect(onVideo.counted[0] + onVideo.counted[1] > 0, "some ratings stand")
        let score = try trending(fixture.database, "v1")
        #expect(abs(score.stored - score.expected) < 1e-6, "the trending score follows the last change: \(score)")
    }
}
