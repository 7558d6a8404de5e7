import Foundation
import KinoraStore

/// The browser sessions of an account, by their public id (a prefix of the stored hash, never
/// the cookie): for the account's own settings page and for the admin console.
public struct SessionList: Sendable {
    public let database: KinoraDatabase
    /// A session unused for this long is dead, though its row waits for the next sweep.
    public let idle: TimeInterval

    public init(database: KinoraDatabase, idle: TimeInterval) {
        self.database = database
        self.idle = idle
    }

    /// Live sessions only: neither expired nor idle too long.
    public func live(userID: String, now: Date = Date()) throws -> [SessionRecord] {
        let idleSince = now.addingTimeInterval(-idle)
        return try database.sessions.list(userID: userID).filter { $0.expiresAt > now && $0.lastSeenAt > idleSince }
    }

    /// Ends one of the account's sessions; another account's is as unknown as one that never was.
    public func end(publicID: String, userID: String) throws {
        guard try database.sessions.delete(publicID: publicID, userID: userID) else {
            throw AccountError.notFound("no session \(publicID.prefix(64)) of yours")
        }
    }

    /// Ends every session of the account; answers how many there were.
    @discardableResult
    public func endAll(userID: String) throws -> Int {
        try database.sessions.deleteAll(userID: userID)
    }

    /// Ends a browser session, or with `everywhere` every session and refresh token of its account.
    public func signOut(_ session: SessionRecord, everywhere: Bool) throws {
        if everywhere {
            try database.sessions.deleteAll(userID: session.userID)
            try database.users.revokeAll(userID: session.userID)
        } else {
            try database.sessions.delete(hash: session.tokenHash)
        }
    }

    /// Starts a session for `userID`: the cookie's value and a masked CSRF token for the page.
    /// Both secrets are 256 random bits; the database keeps the cookie only as its SHA-256.
    /// A new session. With a `notifier`, an account that has sessions, none of them from this
    /// kind of browser (``UserAgentSummary``), gets security mail about the sign-in; an
    /// account's first session tells nobody.
    public func start(
        userID: String, lifetime: TimeInterval, userAgent: String?, address: String? = nil, notifier: Notifier? = nil, now: Date = Date()
    ) throws -> (token: String, csrf: String) {
        if let notifier {
            let browser = UserAgentSummary.describe(userAgent ?? "")
            let known = try database.sessions.list(userID: userID).map { UserAgentSummary.describe($0.userAgent ?? "") }
            if !known.isEmpty, !known.contains(browser) {
                // The sign-in stands whether or not the mail could be queued.
                try? notifier.newSignIn(userID: userID, browser: browser, address: address ?? "unknown", occurrence: RandomID.make())
            }
        }
        let (token, hash) = Secrets.newToken()
        let csrfSecret = Secrets.newToken().token
        try database.sessions.create(
            SessionRecord(
                tokenHash: hash, userID: userID, csrfToken: csrfSecret,
                expiresAt: now.addingTimeInterval(lifetime), now: now, userAgent: userAgent))
        return (token, Secrets.maskCSRF(csrfSecret))
    }

    /// The live session whose cookie is `token`, with its enabled account.
    public func lookup(token: String) throws -> (session: SessionRecord, user: UserRecord)? {
        try database.sessions.lookup(hash: Secrets.hash(token), idle: idle)
    }
}
