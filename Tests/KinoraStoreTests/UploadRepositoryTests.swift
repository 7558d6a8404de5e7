import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct UploadRepositoryTests {
    @Test(arguments: StoreBackend.allCases)
    func anUploadKeepsItsOffsetMetadataAndVideo(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("uploads")
        try database.migrate()
        let upload = UploadRecord(
            id: "u1", length: 100, metadata: ["title": "Été \"quoted\"", "filename": "a.mp4"],
            filePath: "uploads/tus/u1", expiresAt: Date().addingTimeInterval(3600))
        try database.uploads.create(upload)
        try database.uploads.setOffset("u1", 40)
        var stored = try #require(try database.uploads.find("u1"))
        #expect(stored.offset == 40 && stored.length == 100 && !stored.isComplete)
        #expect(stored.metadataValues == ["title": "Été \"quoted\"", "filename": "a.mp4"])

        try TestVideos.insert(database, ids: ["v1"])
        try database.uploads.complete("u1", videoID: "v1")
        stored = try #require(try database.uploads.find("u1"))
        #expect(stored.videoID == "v1" && stored.offset == 100)
        #expect(try database.uploads.expired(before: Date().addingTimeInterval(7200)).isEmpty, "a complete upload never expires")
        try TestVideos.delete(database, "v1")
        #expect(try database.uploads.find("u1") == nil, "deleting the video ends its upload record")
    }

    @Test(arguments: StoreBackend.allCases)
    func completeUploadsWithoutAVideoAreListedForIngestUntilRefusedOrDone(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("uploads")
        try database.migrate()
        let later = Date().addingTimeInterval(3600)
        for id in ["partial", "whole", "failed", "refused", "done"] {
            try database.uploads.create(UploadRecord(id: id, length: 10, metadata: [:], filePath: "uploads/tus/\(id)", expiresAt: later))
            try database.uploads.setOffset(id, id == "partial" ? 4 : 10)
        }
        try database.uploads.setIngestFailure("failed", status: 503, reason: "Media storage is not available.")
        try database.uploads.setIngestFailure("refused", status: 422, reason: "Not a usable video.")
        try TestVideos.insert(database, ids: ["v1"])
        try database.uploads.complete("done", videoID: "v1")
        #expect(Set(try database.uploads.awaitingIngest().map(\.id)) == ["whole", "failed"])
        let refused = try #require(try database.uploads.find("refused"))
        #expect(refused.isRefused && !refused.awaitsIngest && refused.ingestError == "Not a usable video.")
        let failed = try #require(try database.uploads.find("failed"))
        #expect(failed.awaitsIngest && failed.ingestStatus == 503)
        // Success clears an earlier failure.
        try database.uploads.complete("failed", videoID: "v1")
        let recovered = try #require(try database.uploads.find("failed"))
        #expect(recovered.ingestError == nil && recovered.ingestStatus == nil && recovered.isComplete)
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyIncompleteUploadsPastTheirExpiryAreListed(_ backend: StoreBackend) throws {
        let database = try backend.makeDatabase("uploads")
        try database.migrate()
        let now = Date()
        try database.uploads.create(
            UploadRecord(id: "old", length: 5, metadata: [:], filePath: "uploads/tus/old", expiresAt: now.addingTimeInterval(-1)))
        try database.uploads.create(
            UploadRecord(id: "new", length: 5, metadata: [:], filePath: "uploads/tus/new", expiresAt: now.addingTimeInterval(60)))
        #expect(try database.uploads.expired(before: now).map(\.id) == ["old"])
        #expect(try database.uploads.allIDs() == ["old", "new"])
        #expect(try database.uploads.delete("old"))
        #expect(try database.uploads.expired(before: now).isEmpty)
    }
}
