import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct CaptionRepositoryTests {
    func database(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("captions")
        try database.migrate()
        try TestVideos.insert(database, ids: ["v"])
        return database
    }

    @Test(arguments: StoreBackend.allCases)
    func oneTrackPerLanguageReplacedInPlaceWithOneDefault(_ backend: StoreBackend) throws {
        let database = try database(backend)
        let captions = database.captions
        #expect(try captions.save(CaptionRecord(videoID: "v", language: "fr", label: "Français", isDefault: true, size: 10)))
        #expect(try captions.save(CaptionRecord(videoID: "v", language: "en", label: "English", isDefault: false, size: 20)))
        #expect(try captions.list(videoID: "v").map(\.language) == ["en", "fr"])

        let replaced = CaptionRecord(
            videoID: "v", language: "en", label: "English (CC)", isDefault: true, size: 30,
            now: Date().addingTimeInterval(60))
        #expect(try captions.save(replaced) == false, "same language: a replacement, not a new track")
        let en = try #require(try captions.find(videoID: "v", language: "en"))
        #expect(en.label == "English (CC)" && en.size == 30 && en.isDefault)
        #expect(en.createdAt < en.updatedAt, "a replacement keeps the creation date")
        #expect(try captions.find(videoID: "v", language: "fr")?.isDefault == false, "only one default track")

        #expect(try captions.delete(videoID: "v", language: "fr"))
        #expect(try captions.delete(videoID: "v", language: "fr") == false)
        #expect(try captions.list(videoID: "v").map(\.language) == ["en"])
    }

    @Test(arguments: StoreBackend.allCases)
    func tracksGoWithTheirVideo(_ backend: StoreBackend) throws {
        let database = try database(backend)
        try database.captions.save(CaptionRecord(videoID: "v", language: "en", label: "English", isDefault: false, size: 1))
        #expect(try TestVideos.delete(database, "v"))
        #expect(try database.captions.list(videoID: "v").isEmpty)
        #expect(throws: CaptionRepository.VideoMissing.self) {
            try database.captions.save(CaptionRecord(videoID: "v", language: "en", label: "English", isDefault: false, size: 1))
        }
    }
}
