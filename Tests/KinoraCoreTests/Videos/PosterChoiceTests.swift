import Foundation
import KinoraConfiguration
import KinoraCore
import KinoraHost
import KinoraStore
import Testing

/// Choosing a poster among a video's thumbnail candidates, named however a client has them.
@Suite struct PosterChoiceTests {
    static func video(thumbnails: String?) -> VideoRecord {
        var video = VideoRecord(
            id: "v1", title: "t", visibility: "public", originalKey: nil, originalName: nil, originalSize: 1,
            duration: nil, width: nil, height: nil, mediaInfo: nil)
        video.thumbnails = thumbnails
        return video
    }

    static let thumbnails = """
        {"poster":"thumbs/poster.jpg","candidates":["thumbs/candidate-1.jpg","thumbs/candidate-2.jpg"],"cards":["thumbs/card-1.jpg","thumbs/card-2.jpg"]}
        """

    @Test func aCandidateIsNamedByFileStoredPathOrURL() throws {
        for name in [
            "candidate-2.jpg", "thumbs/candidate-2.jpg", "/streams/v1/thumbs/candidate-2.jpg",
            "https://example.org/streams/v1/thumbs/candidate-2.jpg",
        ] {
            let json = try JSONValue(parsing: try PosterChoice.apply(name, to: Self.video(thumbnails: Self.thumbnails)))
            #expect(json["poster"]?.stringValue == "thumbs/candidate-2.jpg", "\(name)")
            #expect(json["card"]?.stringValue == "thumbs/card-2.jpg", "\(name)")
        }
    }

    @Test func anythingElseIsRefusedNamingThePosterField() {
        #expect(throws: CatalogField.Invalid.self) {
            try PosterChoice.apply("/streams/v2/thumbs/candidate-2.jpg", to: Self.video(thumbnails: Self.thumbnails))
        }
        #expect(throws: CatalogField.Invalid.self) { try PosterChoice.apply("candidate-1.jpg", to: Self.video(thumbnails: nil)) }
        do {
            _ = try PosterChoice.apply("../poster.jpg", to: Self.video(thumbnails: Self.thumbnails))
            Issue.record("accepted")
        } catch {
            #expect(error.field == "poster" && error.refusal == .unprocessable)
            #expect(error.detail?.contains("candidate-1.jpg, candidate-2.jpg") == true)
        }
    }
}
