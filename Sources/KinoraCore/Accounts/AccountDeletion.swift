import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Logging

/// Deletes an account and everything it owns, storage objects included. The account is
/// disabled and the deletion recorded first (one transaction), objects are removed next, rows
/// last: a crash in between leaves a recorded deletion that ``resumePending(logger:)`` finishes
/// at the next start, never objects without a row that names them.
public struct AccountDeletion: Sendable {
    public let database: KinoraDatabase
    public let registry: PluginRegistry
    public let config: KinoraConfig

    public init(database: KinoraDatabase, registry: PluginRegistry, config: KinoraConfig) {
        self.database = database
        self.registry = registry
        self.config = config
    }

    /// Returns false when there is no such account; throws ``LastAdmin``.
    public func delete(userID: String, requestID: String? = nil) async throws -> Bool {
        guard try database.accountDeletions.begin(userID: userID) else { return false }
        try await finish(userID: userID, requestID: requestID)
        return true
    }

    public func finish(userID: String, requestID: String? = nil) async throws {
        let storage = try MediaStorage(registry: registry, name: config.mediaStorage)
            .require("the account is disabled; its deletion completes once the storage is back")
        try await storage.removeAll(prefix: "avatars/\(userID)/", requestID: requestID)
        // The account's videos (its own and its channels'): objects, then rows, one by one, so
        // a deletion cut short still finds the rest through the account's row.
        let removal = VideoRemoval(database: database, registry: registry, config: config)
        for videoID in try database.videos.ids(ownedBy: userID) {
            try await removal.remove(videoID)
        }
        // Channels, subscriptions, history, playlists, preferences, tokens and tus upload rows go
        // with the account's row; a partial tus file without its row is removed by the upload sweep.
        // The account's likes and dislikes leave the counts before its rows go (the cascade
        // would drop the rows and leave the counts); done again harmlessly when resumed.
        try database.ratings.withdrawAll(userID: userID)
        try database.accountDeletions.finish(userID: userID)
    }

    /// Finishes deletions a crash or a storage outage cut short.
    public func resumePending(logger: Logger) async {
        do {
            for userID in try database.accountDeletions.pending() {
                try await finish(userID: userID)
                logger.info("finished an interrupted account deletion", metadata: ["user": .string(userID)])
            }
        } catch {
            logger.error("an account deletion could not be finished: \(error); it is tried again at the next start")
        }
    }
}
