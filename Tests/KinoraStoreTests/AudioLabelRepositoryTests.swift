import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct AudioLabelRepositoryTests {
    func database(_ backend: StoreBackend) throws -> KinoraDatabase {
        let database = try backend.makeDatabase("audiolabels")
        try database.migrate()
        try TestVideos.insert(database, ids: ["v"])
        return database
    }

    @Test(arguments: StoreBackend.allCases)
    func aReplacementTakesThePlaceOfEveryEarlierLabel(_ backend: StoreBackend) throws {
        let database = try database(backend)
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

    @Test(arguments: StoreBackend.allCases)
    func labelsGoWithTheirVideo(_ backend: StoreBackend) throws {
        let database = try database(backend)
        try database.audioLabels.replace(videoID: "v", with: [AudioLabelRecord(videoID: "v", track: "audio", language: "en", name: nil)])
        #expect(try TestVideos.delete(database, "v"))
        #expect(try database.audioLabels.list(videoID: "v").isEmpty)
        #expect(throws: AudioLabelRepository.VideoMissing.self) {
            try database.audioLabels.replace(videoID: "v", with: [AudioLabelRecord(videoID: "v", track: "audio", language: "en", name: nil)])
        }
    }
}
