import GRDB

extension VideoRepository {
    /// The videos among `ids` that exist, by id, in one query.
    public func find(ids: some Collection<String>) throws -> [String: VideoRecord] {
        guard !ids.isEmpty else { return [:] }
        return try writer.read { db in
            let videos = try VideoRecord.fetchAll(db, keys: Array(Set(ids)))
            return Dictionary(videos.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Videos an account owns, directly or through its channels (bootstrap uploads have no owner).
    public func ids(ownedBy userID: String) throws -> [String] {
        try writer.read {
            try String.fetchAll(
                $0,
                sql: """
                    SELECT id FROM videos WHERE owner_id = ?
                    UNION SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id WHERE c.owner_id = ?
                    """, arguments: [userID, userID])
        }
    }
}
