import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct AudioLabelRepositoryTests {
    func database() throws -> (KinoraDatabase, String) {
        let (database, dir) = try TestEnvironment.migratedDatabase("audio-labels")
        try database.videos.create(
            VideoRecord(
                id: "v", title: "V", visibility: "public", originalKey: nil, originalName: nil,
                originalSize: 1, duration: 2, width: nil, height: nil, mediaInfo: nil))
        return (database, dir)
    }

    @Test func aReplacementTakesThePlaceOfEveryEarlierLabel() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let labels = database.audioLabels
        try labels.replace(
            videoID: "v",
            with: [
                AudioLabelRecord(videoID: "v", track: "audio-fr", language: nil, name: "Français (doublage)"),
                AudioLabelRecord(videoID: "v", track: "audio-en", language: "de", name: "Deutsch"),
            ])
        let stored = try labels.list(videoID: "v")
        #expect(stored.map(\.track) == ["audio-en", "audio-fr"])
        #expect(stored.first?.language == "de" && stored.first?.name == "Deutsch" && stored.last?.language == nil)

        try labels.replace(videoID: "v", with: [AudioLabelRecord(videoID: "v", track: "audio-fr", language: "ca", name: nil)])
        #expect(try labels.list(videoID: "v").map(\.track) == ["audio-fr"], "a track left out goes back to the source's label")
        #expect(try labels.list(videoID: "v").first?.name == nil)
        try labels.replace(videoID: "v", with: [])
        #expect(try labels.list(videoID: "v").isEmpty)
    }

    @Test func labelsGoWithTheirVideo() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try database.audioLabels.replace(videoID: "v", with: [AudioLabelRecord(videoID: "v", track: "audio", language: "en", name: nil)])
        #expect(try database.videos.delete("v"))
        #expect(try database.audioLabels.list(videoID: "v").isEmpty)
        #expect(throws: AudioLabelRepository.VideoMissing.self) {
            try database.audioLabels.replace(videoID: "v", with: [AudioLabelRecord(videoID: "v", track: "audio", language: "en", name: nil)])
        }
    }
}
