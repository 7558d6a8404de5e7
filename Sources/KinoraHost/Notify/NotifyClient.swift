import KinoraConfiguration
import KinoraPluginABI

/// What a channel made of one message (`kinora.notify/1`'s outcome object).
public enum NotifyOutcome: Sendable, Equatable {
    case delivered(providerID: String?)
    case retryable(reason: String, retryAfterSeconds: Double?)
    case permanent(reason: String, addressGone: Bool)

    /// The outcome object a plugin answered; a shape the interface does not define is the
    /// plugin's failure, so the host retries rather than dropping the message.
    init(_ object: JSONValue, instance: String) throws {
        let reason = object["reason"]?.stringValue ?? ""
        switch object["outcome"]?.stringValue {
        case KN_NOTIFY_DELIVERED: self = .delivered(providerID: object["provider_id"]?.stringValue)
        case KN_NOTIFY_RETRYABLE:
            let after = object["retry_after_seconds"]?.doubleValue
            self = .retryable(reason: reason.isEmpty ? "the provider asked to retry" : reason, retryAfterSeconds: after.map { max(0, $0) })
        case KN_NOTIFY_PERMANENT:
            self = .permanent(reason: reason.isEmpty ? "the provider refused the message" : reason, addressGone: object["address_gone"]?.boolValue ?? false)
        default:
            throw PluginCallError(status: .internal, message: "send answered no outcome (\(object))", instance: instance)
        }
    }
}

/// Async access to a `kinora.notify/1` instance: a delivery channel.
///
/// ```swift
/// for channel in registry.notifyChannels where channel.addressKind == "email" {
///     let outcome = try await channel.send(message: #"{"to":"a@example.org","subject":"Hi","text":"…","idempotency_key":"k1"}"#)
/// }
/// ```
public struct NotifyClient: Sendable {
    public let instance: PluginInstance
    let table: ABITable<kn_notify_v1_t>
    /// "email", "phone", "webpush" or "none", as the plugin said once it started.
    public let addressKind: String

    init?(_ instance: PluginInstance) {
        guard let table = instance.interface(KN_NOTIFY_ID, as: kn_notify_v1_t.self),
            let kind = table.pointee.address_kind?(instance.rawPlugin)
        else { return nil }
        self.instance = instance
        self.table = ABITable(table)
        addressKind = String(cString: kind)
    }

    public var name: String { instance.name }

    /// What the channel tells clients (`channel_info`: Web Push's `application_server_key`),
    /// an empty object when it tells nothing or answers something other than an object.
    public var info: JSONValue {
        guard let text = table.pointee.channel_info?(instance.rawPlugin), let value = try? JSONValue(parsing: String(cString: text)),
            value.objectValue != nil
        else { return .object([:]) }
        return value
    }

    /// Whether the plugin reads delivery-status callbacks.
    public var takesCallbacks: Bool { table.pointee.parse_callback != nil }

    /// Sends one rendered message (`kinora.notify/1`'s message object, as JSON text).
    /// A call that fails counts as ``NotifyOutcome/retryable(reason:retryAfterSeconds:)``
    /// but for `INVALID_ARGUMENT`, which is permanent: callers get an outcome either way.
    public func send(message json: String, requestID: String?, deadline: ContinuousClock.Instant) async -> NotifyOutcome {
        let table = self.table
        let instanceName = instance.name
        do {
            return try await instance.invoke(
                requestID: requestID, deadline: deadline, strings: [json], background: true,
                { plugin, call, s, done in table.pointee.send?(plugin, call, s[0], done) },
                decode: { result in
                    guard let text = result?.assumingMemoryBound(to: CChar.self) else {
                        throw PluginCallError(status: .internal, message: "send completed without an outcome", instance: instanceName)
                    }
                    return try NotifyOutcome(try JSONValue(parsing: String(cString: text)), instance: instanceName)
                })
        } catch let error as PluginCallError where error.status == .invalidArgument {
            return .permanent(reason: error.message, addressGone: false)
        } catch let error as PluginCallError {
            return .retryable(reason: error.message, retryAfterSeconds: nil)
        } catch {
            return .retryable(reason: "\(error)", retryAfterSeconds: nil)
        }
    }

    /// Hands a provider's delivery-status callback to the plugin; returns its reading
    /// (`provider_id`, `status`, `reason`). Throws ``PluginCallError`` (`permission`: the
    /// signature does not verify; `invalidArgument`: unreadable; `unsupported`: the plugin
    /// takes no callbacks).
    public func parseCallback(request json: String, requestID: String?) async throws -> JSONValue {
        guard takesCallbacks else {
            throw PluginCallError(status: .unsupported, message: "this channel takes no callbacks", instance: instance.name)
        }
        let table = self.table
        let instanceName = instance.name
        return try await instance.invoke(
            requestID: requestID, deadline: .now + .seconds(10), strings: [json],
            { plugin, call, s, done in table.pointee.parse_callback?(plugin, call, s[0], done) },
            decode: { result in
                guard let text = result?.assumingMemoryBound(to: CChar.self) else {
                    throw PluginCallError(status: .internal, message: "parse_callback completed without a result", instance: instanceName)
                }
                return try JSONValue(parsing: String(cString: text))
            })
    }
}

extension PluginRegistry {
    /// Every started `kinora.notify/1` instance, by name.
    public var notifyChannels: [NotifyClient] {
        instances(implementing: KN_NOTIFY_ID).filter { $0.state == .started }.compactMap(NotifyClient.init).sorted { $0.name < $1.name }
    }

    public func notifyChannel(named name: String) -> NotifyClient? {
        guard let instance = instance(named: name), instance.state == .started else { return nil }
        return NotifyClient(instance)
    }
}
