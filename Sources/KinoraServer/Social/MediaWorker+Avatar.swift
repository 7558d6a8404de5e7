import Foundation

extension MediaWorker {
    /// Makes `<folder>/256.jpg` and `<folder>/64.jpg` from the picture at `path`; a file that
    /// is no usable picture is a 422 `bad-image` problem.
    func avatar(_ path: String, folder: String) async throws {
        let output: Data
        do {
            output = try await run(["avatar", path, folder])
        } catch let problem as Problem where problem.type == "media-worker-failed" {
            throw Problem(.unprocessableContent, type: "bad-image", title: "Not a usable image", detail: problem.detail)
        }
        guard let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw Problem(.internalServerError, type: "media-worker-failed", title: "Media worker failed", detail: "kinora-media printed no result")
        }
        guard object["ok"] as? Bool == true else {
            throw Problem(.unprocessableContent, type: "bad-image", title: "Not a usable image",
                          detail: object["message"] as? String ?? "the file is not an image that can be read")
        }
    }
}
