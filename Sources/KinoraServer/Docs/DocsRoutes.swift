import Foundation
import Hummingbird
import KinoraCore

/// `GET /api/openapi.yaml` (the contract, as shipped in share/) and `GET /api/docs` (a
/// reference page rendered from it here, so it needs no CDN and no script). Both are public:
/// the spec describes routes, never data.
struct DocsRoutes {
    let spec: APISpec

    init(shareDir: String?) {
        spec = APISpec(path: shareDir.map { $0 + "/openapi.yaml" })
    }

    func register(on router: Router<KinoraRequestContext>) {
        router.get("api/openapi.yaml") { _, _ in
            let text = try await spec.text()
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("api/docs") { _, _ in
            let page = try await spec.referencePage()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "public, max-age=300",
                    .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: page)))
        }
    }
}

/// The spec file, read and rendered on first use (most daemons never serve it, and the YAML
/// parse should not cost every start), then kept: the file only changes with an upgrade.
actor APISpec {
    let path: String?
    private var cachedText: [UInt8]?
    private var cachedPage: [UInt8]?

    init(path: String?) { self.path = path }

    func text() throws -> [UInt8] {
        if let cachedText { return cachedText }
        guard let path, let data = FileManager.default.contents(atPath: path) else {
            throw Problem(
                .noApiSpec,
                detail: "openapi.yaml was not found in the share folder (\(path ?? "none found"); see --share-dir)")
        }
        cachedText = Array(data)
        return Array(data)
    }

    func referencePage() throws -> [UInt8] {
        if let cachedPage { return cachedPage }
        let text = String(decoding: try text(), as: UTF8.self)
        let page: String
        do {
            page = try APIReferencePage.render(yaml: text)
        } catch {
            throw Problem(
                .badApiSpec,
                detail: "openapi.yaml could not be read: \(error)")
        }
        cachedPage = Array(page.utf8)
        return cachedPage!
    }
}
