import Foundation

/// Comments per account and minute (`[moderation] comments_per_minute`), counted in memory on
/// each node like the other rate limits: a sliding window of the account's last posts.
public final class CommentPace: @unchecked Sendable {
    private let lock = NSLock()
    private var posts: [String: [Date]] = [:]

    public init() {}

    /// Counts a post by `userID`, or refuses it (429 with the seconds to wait) when the
    /// account already posted `perMinute` in the last 60 s.
    public func take(_ userID: String, perMinute: Int, now: Date = Date()) throws {
        let wait = lock.withLock { () -> Int? in
            if posts.count > 100_000 { posts = posts.filter { now.timeIntervalSince($0.value.last ?? .distantPast) < 60 } }
            var recent = (posts[userID] ?? []).filter { now.timeIntervalSince($0) < 60 }
            if recent.count >= perMinute, let oldest = recent.first {
                posts[userID] = recent
                return max(1, Int((60 - now.timeIntervalSince(oldest)).rounded(.up)))
            }
            recent.append(now)
            posts[userID] = recent
            return nil
        }
        if let wait {
            throw Refused(.rateLimited, "at most \(perMinute) comments a minute; try again in \(wait) s", retryAfter: wait)
        }
    }
}
