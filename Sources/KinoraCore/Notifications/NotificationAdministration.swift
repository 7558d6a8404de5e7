import Foundation
import KinoraHost
import KinoraStore

/// What admins see of notifications: the delivery log with its failures and their reasons,
/// the channels, and a test message per channel.
public struct NotificationAdministration: Sendable {
    let database: KinoraDatabase
    let registry: PluginRegistry

    public init(database: KinoraDatabase, registry: PluginRegistry) {
        self.database = database
        self.registry = registry
    }

    public static let states: Set<String> = ["pending", "sending", "delivered", "failed", "dropped"]

    /// The newest messages first, filtered; `before` is the page's cursor (an outbox id).
    public func log(state: String?, channel: String?, event: String?, before: Int64?, limit: Int) throws -> (items: [OutboxMessage], next: Int64?) {
        if let state, !Self.states.contains(state) {
            throw InvalidField("state", "state must be one of \(Self.states.sorted().joined(separator: ", "))")
        }
        let rows = try database.outbox.log(state: state, channel: channel, event: event, limit: limit + 1, before: before)
        let items = Array(rows.prefix(limit))
        return (items, rows.count > limit ? items.last?.id : nil)
    }

    public func counts() throws -> [String: Int] { try database.outbox.counts() }

    /// Every started channel: name and address kind.
    public var channels: [(name: String, kind: String)] { registry.notifyChannels.map { ($0.name, $0.addressKind) } }

    /// Sends a made-up message through `channel` to `address` (the admin's own, for mail),
    /// now, past the outbox: the answer is the channel's outcome, so an operator sees at once
    /// whether the provider takes messages.
    public func sendTest(channel name: String, to address: String?, adminName: String, requestID: String?) async throws -> NotifyOutcome {
        guard let channel = registry.notifyChannel(named: name) else { throw Refused(.notFound, "no started notification channel \(name)") }
        var message: [String: Any] = [
            "subject": "Kinora test message", "text": "Hello \(adminName),\n\nthis is a test message from Kinora's admin console, sent through the channel \(name).\n",
            "idempotency_key": "test-\(RandomID.make())", "event": "test", "language": "en", "data": [:] as [String: String],
            "headers": [:] as [String: String], "to_name": adminName,
        ]
        if channel.addressKind != "none" {
            guard let address, !address.isEmpty else {
                throw InvalidField("to", "the channel \(name) delivers to \(channel.addressKind) addresses: give one in \"to\" (your account has none)")
            }
            message["to"] = address
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]), as: UTF8.self)
        return await channel.send(message: json, requestID: requestID, deadline: .now + .seconds(30))
    }
}
