import Foundation
import KinoraConfiguration
import KinoraHost

extension VideoPipeline {
    /// Stores the worker's thumbnails under `videos/<id>/thumbs/` and records them, so the
    /// video's JSON names the poster as soon as the first rendition plays. A transcode that
    /// made none (audio only) leaves the video without thumbnails.
    func storeThumbnails(_ thumbnails: JSONValue?, from folder: String, video: String, storage: StorageClient) async throws {
        guard let thumbnails else { return }
        var files = [thumbnails["poster"]?.stringValue, thumbnails["track"]?.stringValue].compactMap { $0 }
        files += thumbnails["candidates"]?.arrayValue?.compactMap(\.stringValue) ?? []
        files += thumbnails["cards"]?.arrayValue?.compactMap(\.stringValue) ?? []
        files += thumbnails["sprites"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for file in files {
            // The worker names its own files; refuse anything that would leave the folder.
            guard file.hasPrefix("thumbs/"), !file.contains(".."), !file.contains("//") else {
                throw TranscodeFailure(description: "the media worker named an unexpected thumbnail file \(file)")
            }
            let type = file.hasSuffix(".vtt") ? "text/vtt" : "image/jpeg"
            try await storage.put("videos/\(video)/\(file)", contentType: type, file: folder + "/" + file)
        }
        try database.videos.setThumbnails(video, json: thumbnails.jsonString)
    }
}
