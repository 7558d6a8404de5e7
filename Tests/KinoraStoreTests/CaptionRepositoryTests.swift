import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct CaptionRepositoryTests {
    func database() throws -> (KinoraDatabase, String) {
        let (database, dir) = try TestEnvironment.migratedDatabase("captions")
        try database.videos.create(
            VideoRecord(
                id: "v", title: "V", visibility: "public", originalKey: nil, originalName: nil,
                originalSize: 1, duration: 2, width: nil, height: nil, mediaInfo: nil))
        return (database, dir)
    }

    @Test func oneTrackPerLanguageReplacedInPlaceWithOneDefault() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
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

    @Test func tracksGoWithTheirVideo() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try database.captions.save(CaptionRecord(videoID: "v", language: "en", label: "English", isDefault: false, size: 1))
        #expect(try database.videos.delete("v"))
        #expect(try database.captions.list(videoID: "v").isEmpty)
        #expect(throws: CaptionRepository.VideoMissing.self) {
            try database.captions.save(CaptionRecord(videoID: "v", language: "en", label: "English", isDefault: false, size: 1))
        }
    }
}
