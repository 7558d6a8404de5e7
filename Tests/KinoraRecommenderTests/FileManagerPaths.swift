import Foundation

enum FileManagerPaths {
    /// A fresh folder under the system's temporary directory.
    static func temporary(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "/kinora-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
