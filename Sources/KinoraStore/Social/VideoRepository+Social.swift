extension VideoRepository {
    /// The videos among `ids` that exist, by id, in one query.
    public func find(ids: some Collection<String>) throws -> [String: VideoRecord] {
        guard !ids.isEmpty else { return [:] }
        let unique = Array(Set(ids))
        return try db.read { db in
            let videos = try db.fetchAll("SELECT * FROM videos WHERE id IN (\(CatalogSQL.placeholders(unique.count)))", unique).map(
                VideoRecord.init(row:))
            return Dictionary(videos.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Videos an account owns, directly or through its channels (bootstrap uploads have no owner).
    public func ids(ownedBy userID: String) throws -> [String] {
        try db.read { db in
            try db.fetchAll(
                """
                SELECT id FROM videos WHERE owner_id = ?
                UNION SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id WHERE c.owner_id = ?
                """, [userID, userID]
            ).map { try $0.value("id", as: String.self) }
        }
    }
}
