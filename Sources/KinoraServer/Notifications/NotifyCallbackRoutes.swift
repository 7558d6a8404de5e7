import Foundation
import Hummingbird
import KinoraCore
import KinoraHost
import KinoraStore

/// `POST /api/v1/notify/callbacks/{instance}`: a provider's delivery-status report (an SMS
/// gateway's status callback), handed to the channel that sent the message. The plugin
/// verifies the provider's signature; nothing is recorded from a callback it refuses.
struct NotifyCallbackRoutes {
    let registry: PluginRegistry
    let publicURL: String?
    /// A status report is a few hundred bytes; anything much larger is not one.
    static let maxBody = 64 * 1024

    func register(on router: Router<KinoraRequestContext>) {
        router.post("api/v1/notify/callbacks/:instance") { request, context in
            try Access.anyone.check(context)
            let name = context.parameters.get("instance") ?? ""
            guard let channel = registry.notifyChannel(named: name), channel.takesCallbacks else {
                throw Problem(.notFound, detail: "no notification channel \(name) takes callbacks")
            }
            let buffer = try await request.body.collect(upTo: Self.maxBody)
            guard let body = String(validating: Array(buffer.readableBytesView), as: UTF8.self) else {
                throw Problem(.badRequest, detail: "the callback's body is not UTF-8 text")
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let base = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "http://\(request.head.authority ?? "localhost")"
            let described: [String: Any] = ["url": base + request.uri.string, "method": "POST", "headers": headers, "body": body]
            let json = String(decoding: try JSONSerialization.data(withJSONObject: described, options: [.sortedKeys]), as: UTF8.self)
            do {
                let reading = try await channel.parseCallback(request: json, requestID: context.requestID)
                context.logger.info(
                    "delivery status from \(name): \(reading["status"]?.stringValue ?? "?")",
                    metadata: ["provider_id": .string(reading["provider_id"]?.stringValue ?? "")])
                return Response(status: .noContent)
            } catch let error as PluginCallError where error.status == .permission {
                throw Problem(.badCallbackSignature, detail: "the callback's signature does not verify")
            } catch let error as PluginCallError where error.status == .invalidArgument {
                throw Problem(.badRequest, detail: "the channel cannot read this callback: \(error.message)")
            }
        }
    }
}
