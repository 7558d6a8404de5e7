import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `kinora.notify/1` tables, one per combination of the interface's two optional
/// functions: `parse_callback` for ``NotifyCallbackPlugin``s and `channel_info` for
/// ``NotifyChannelInfoPlugin``s, each NULL for a plugin that does not adopt the protocol.
extension InterfaceTables {
    /// address_kind's answers: static strings, the same pointer every time, as the ABI asks.
    nonisolated(unsafe) static let addressKindNames: [NotifyAddressKind: UnsafePointer<CChar>] = Dictionary(
        uniqueKeysWithValues: NotifyAddressKind.allCases.map { ($0, UnsafePointer(strdup($0.rawValue)!)) })

    /// Indexed by (callbacks ? 1 : 0) + (channel info ? 2 : 0).
    nonisolated(unsafe) static let notifyTables: [UnsafeMutablePointer<kn_notify_v1_t>] = (0..<4).map {
        makeNotifyTable(withCallbacks: $0 & 1 != 0, withChannelInfo: $0 & 2 != 0)
    }

    static func notifyTable(for plugin: any NotifyPlugin) -> UnsafeMutablePointer<kn_notify_v1_t> {
        notifyTables[(plugin is any NotifyCallbackPlugin ? 1 : 0) + (plugin is any NotifyChannelInfoPlugin ? 2 : 0)]
    }

    private static func makeNotifyTable(withCallbacks: Bool, withChannelInfo: Bool) -> UnsafeMutablePointer<kn_notify_v1_t> {
        let table = UnsafeMutablePointer<kn_notify_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_notify_v1_t(
                address_kind: { p in
                    let kind = (InstanceBox.of(p)?.plugin as? any NotifyPlugin)?.addressKind ?? .none
                    return InterfaceTables.addressKindNames[kind]
                },
                send: { p, call, messageJSON, done in
                    let completion = Completion(raw: done)
                    let outcome: NotifyOutcome
                    do {
                        guard let channel = InstanceBox.of(p)?.plugin as? any NotifyPlugin else {
                            throw PluginError(.invalidArgument, "not a notify plugin instance")
                        }
                        let message = try NotifyMessage(json: requireString(messageJSON, "message"))
                        try message.checkRecipient(for: channel.addressKind)
                        let context = PluginCall(call)
                        // The host gave up on this attempt already: sending now could only
                        // deliver a message the host is about to send again.
                        try context.checkCancellation()
                        outcome = try InterfaceTables.sendReportingFailures(channel, message, context)
                    } catch {
                        completion.fail(error)
                        return
                    }
                    outcome.json.withCString { completion.succeed(UnsafeRawPointer($0)) }
                },
                parse_callback: withCallbacks
                    ? { p, call, requestJSON, done in
                        let completion = Completion(raw: done)
                        do {
                            guard let channel = InstanceBox.of(p)?.plugin as? any NotifyCallbackPlugin else {
                                throw PluginError(.invalidArgument, "not a notify plugin instance with callbacks")
                            }
                            let request = try NotifyCallbackRequest(json: requireString(requestJSON, "request"))
                            let report = try channel.parseCallback(request: request, call: PluginCall(call))
                            report.json.withCString { completion.succeed(UnsafeRawPointer($0)) }
                        } catch {
                            completion.fail(error)
                        }
                    } : nil,
                channel_info: withChannelInfo
                    ? { p in
                        guard let box = InstanceBox.of(p), let channel = box.plugin as? any NotifyChannelInfoPlugin else { return nil }
                        return box.channelInfoText.withLock { text in
                            if text == nil {
                                text = strdup(JSONValue.object(channel.channelInfo.mapValues { .string($0) }).jsonString)
                            }
                            return UnsafePointer(text)
                        }
                    } : nil
            ))
        return table
    }

    /// The statuses `send` may fail with; every other failure is a retryable outcome, which
    /// carries its reason to the admins' view of the outbox.
    static let notifyFailureStatuses: Set<PluginStatus> = [.invalidArgument, .cancelled, .timeout, .noMemory]

    fileprivate static func sendReportingFailures(_ channel: any NotifyPlugin, _ message: NotifyMessage, _ call: PluginCall) throws -> NotifyOutcome {
        do {
            return try channel.send(message: message, call: call)
        } catch {
            let e = PluginError(wrapping: error)
            if notifyFailureStatuses.contains(e.status) { throw e }
            return .retryable(reason: e.message.isEmpty ? e.status.description : e.message)
        }
    }
}
