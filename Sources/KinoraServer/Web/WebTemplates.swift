import Foundation
import Hummingbird
import KinoraCore
import Mustache

/// The page templates of share/web/templates (`*.mustache`), parsed at first use and kept:
/// they change only with an upgrade, and daemons that never serve a page never parse them.
actor WebTemplates {
    let directory: String?
    private var library: MustacheLibrary?

    init(shareDir: String?) {
        directory = shareDir.map { $0 + "/web/templates" }
    }

    /// Renders `name` with `object`. Mustache's `{{ }}` escapes HTML; templates never use
    /// `{{{ }}}` for anything a user wrote. The object stays on the caller's side: only the
    /// parsed library (a value) comes out of the actor.
    nonisolated func render(_ name: String, _ object: [String: Any]) async throws -> String {
        let library = try await loaded()
        guard let html = library.render(object, withTemplate: name) else {
            throw Problem(.noWebTemplate, detail: "share/web/templates has no \(name).mustache")
        }
        return html
    }

    func loaded() async throws -> MustacheLibrary {
        if let library { return library }
        guard let directory, FileManager.default.fileExists(atPath: directory + "/layout.mustache") else {
            throw Problem(
                .noWebTemplates,
                detail: "the web templates were not found in the share folder (\(directory ?? "none found"); see --share-dir)")
        }
        let made: MustacheLibrary
        do {
            made = try await MustacheLibrary(directory: directory)
        } catch {
            throw Problem(.badWebTemplate, detail: "\(error)")
        }
        library = made
        return made
    }
}
