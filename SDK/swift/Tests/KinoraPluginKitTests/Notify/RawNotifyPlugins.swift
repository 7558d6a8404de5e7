import KinoraPluginABI
import KinoraPluginConformance
import KinoraPluginKit

#if canImport(Glibc)
import Glibc
#endif

/// Broken `kinora.notify/1` instances written against the raw C tables, as a plugin in another
/// language would be: the kit would not let a Swift plugin make these mistakes.
enum RawNotifyPlugin: Int {
    /// Delivers everything: messages without text, injected headers, and callbacks whatever
    /// their signature.
    case yesMan
    /// Refuses malformed messages, but answers a retryable outcome with a negative delay.
    case negativeDelay

    /// A started instance, never destroyed (it owns nothing).
    var plugin: PluginUnderTest {
        let mode = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        mode.initialize(to: rawValue)
        let raw = UnsafeMutablePointer<kn_plugin_t>.allocate(capacity: 1)
        raw.initialize(
            to: kn_plugin_t(
                desc: UnsafePointer(RawNotifyPlugin.descriptor), plugin_data: UnsafeMutableRawPointer(mode),
                start: { _, _ in KN_OK }, stop: { _ in }, destroy: { _ in },
                get_interface: { plugin, id in
                    guard let id, String(cString: id) == KN_NOTIFY_ID else { return nil }
                    let mode = plugin!.pointee.plugin_data.assumingMemoryBound(to: Int.self).pointee
                    return UnsafeRawPointer(mode == RawNotifyPlugin.yesMan.rawValue ? RawNotifyPlugin.yesManTable : RawNotifyPlugin.negativeDelayTable)
                }))
        return PluginUnderTest(UnsafePointer(raw))
    }

    nonisolated(unsafe) static let descriptor: UnsafeMutablePointer<kn_plugin_descriptor_t> = {
        let interfaces = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: 2)
        interfaces[0] = UnsafePointer(strdup(KN_NOTIFY_ID))
        interfaces[1] = nil
        let d = UnsafeMutablePointer<kn_plugin_descriptor_t>.allocate(capacity: 1)
        d.initialize(
            to: kn_plugin_descriptor_t(
                abi: kn_version_t(major: UInt32(KN_ABI_MAJOR), minor: UInt32(KN_ABI_MINOR), patch: 0), id: UnsafePointer(strdup("org.test.notify-raw")),
                name: UnsafePointer(strdup("Raw notify")), vendor: nil, version: nil, description: nil, url: nil, interfaces: UnsafePointer(interfaces),
                config_schema_json: nil, flags: 0))
        return d
    }()

    nonisolated(unsafe) static let email = UnsafePointer(strdup("email")!)
    nonisolated(unsafe) static let numericInfo = UnsafePointer(strdup(#"{"application_server_key":42}"#)!)

    nonisolated(unsafe) static let yesManTable: UnsafeMutablePointer<kn_notify_v1_t> = {
        let t = UnsafeMutablePointer<kn_notify_v1_t>.allocate(capacity: 1)
        t.initialize(
            to: kn_notify_v1_t(
                address_kind: { _ in RawNotifyPlugin.email },
                send: { _, _, _, done in
                    #"{"outcome":"delivered","provider_id":"yes"}"#.withCString { done.complete(done.ctx, KN_OK, nil, $0) }
                },
                parse_callback: { _, _, _, done in
                    #"{"provider_id":"yes","status":"delivered"}"#.withCString { done.complete(done.ctx, KN_OK, nil, $0) }
                },
                // A key as a number: clients expect strings.
                channel_info: { _ in RawNotifyPlugin.numericInfo }))
        return t
    }()

    nonisolated(unsafe) static let negativeDelayTable: UnsafeMutablePointer<kn_notify_v1_t> = {
        let t = UnsafeMutablePointer<kn_notify_v1_t>.allocate(capacity: 1)
        t.initialize(
            to: kn_notify_v1_t(
                address_kind: { _ in RawNotifyPlugin.email },
                send: { _, _, message, done in
                    // The kit's reader does the refusing, so only the outcome is wrong.
                    if (try? NotifyMessage(json: String(cString: message!))) == nil {
                        done.complete(done.ctx, KN_E_INVALID_ARGUMENT, nil, nil)
                        return
                    }
                    #"{"outcome":"retryable","reason":"busy","retry_after_seconds":-30}"#.withCString { done.complete(done.ctx, KN_OK, nil, $0) }
                },
                parse_callback: nil, channel_info: nil))
        return t
    }()
}
