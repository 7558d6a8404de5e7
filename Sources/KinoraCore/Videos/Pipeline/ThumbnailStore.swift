import Foundation
import KinoraHost
import KinoraMediaContract

extension VideoPipeline {
    /// Stores the worker's thumbnails in the video's `thumbs/` and records them, so the
    /// video's JSON names the poster as soon as the first rendition plays. A transcode that
    /// made none (audio only) leaves the video without thumbnails.
    func storeThumbnails(_ thumbnails: Thumbnails?, from folder: String, video: String, storage: StorageClient) async throws {
        guard let thumbnails else { return }
        let objects = VideoObjects(video)
        for file in thumbnails.files {
            // The worker names its own files; refuse anything that would leave the folder.
            guard file.hasPrefix("thumbs/"), !file.contains(".."), !file.contains("//") else {
                throw TranscodeFailure(description: "the media worker named an unexpected thumbnail file \(file)")
            }
            let type = file.hasSuffix(".vtt") ? "text/vtt" : "image/jpeg"
            try await storage.put(objects.key(file), contentType: type, file: folder + "/" + file)
        }
        try database.videos.setThumbnails(video, json: try MediaJSON.encode(thumbnails))
    }
}
