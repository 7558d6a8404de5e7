import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C function tables of each interface. One table per interface per module suffices:
/// every function finds its Swift instance through `plugin_data`.
enum InterfaceTables {
    static func interfaceIDs(of type: any KinoraPlugin.Type) -> [String] {
        var ids: [String] = []
        if type is any StoragePlugin.Type { ids.append(KN_STORAGE_ID) }
        if type is any PresigningStoragePlugin.Type { ids.append(KN_STORAGE_PRESIGN_ID) }
        if type is any LocalFileStoragePlugin.Type { ids.append(KN_STORAGE_LOCALFILE_ID) }
        if type is any ModerationPlugin.Type { ids.append(KN_MODERATION_ID) }
        if type is any ModerationFeedbackPlugin.Type { ids.append(KN_MODERATION_FEEDBACK_ID) }
        if type is any PackagerPlugin.Type { ids.append(KN_PACKAGER_ID) }
        if type is any GrowingPackagerPlugin.Type { ids.append(KN_PACKAGER_GROWING_ID) }
        if type is any NotifyPlugin.Type { ids.append(KN_NOTIFY_ID) }
        return ids
    }

    static func table(for id: String, plugin: any KinoraPlugin) -> UnsafeRawPointer? {
        switch id {
        case KN_STORAGE_ID where plugin is any StoragePlugin: UnsafeRawPointer(storage)
        case KN_STORAGE_PRESIGN_ID where plugin is any PresigningStoragePlugin: UnsafeRawPointer(presign)
        case KN_STORAGE_LOCALFILE_ID where plugin is any LocalFileStoragePlugin: UnsafeRawPointer(localFile)
        case KN_MODERATION_ID where plugin is any ModerationPlugin: UnsafeRawPointer(moderation)
        case KN_MODERATION_FEEDBACK_ID where plugin is any ModerationFeedbackPlugin: UnsafeRawPointer(moderationFeedback)
        case KN_PACKAGER_ID where plugin is any PackagerPlugin: UnsafeRawPointer(packager)
        case KN_PACKAGER_GROWING_ID where plugin is any GrowingPackagerPlugin: UnsafeRawPointer(packagerGrowing)
        case KN_NOTIFY_ID: (plugin as? any NotifyPlugin).map { UnsafeRawPointer(notifyTable(for: $0)) }
        default: nil
        }
    }

    /// Runs a storage operation, routing every thrown error to the completion.
    private static func storageOp(
        _ p: UnsafePointer<kn_plugin_t>?, _ done: kn_completion_t,
        _ body: (any StoragePlugin, Completion) throws -> Void
    ) {
        let completion = Completion(raw: done)
        guard let storage = InstanceBox.of(p)?.plugin as? any StoragePlugin else {
            completion.fail(PluginError(.invalidArgument, "not a storage plugin instance"))
            return
        }
        do { try body(storage, completion) } catch { completion.fail(error) }
    }

    nonisolated(unsafe) static let storage: UnsafeMutablePointer<kn_storage_v1_t> = {
        let table = UnsafeMutablePointer<kn_storage_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_storage_v1_t(
                put: { p, call, key, contentType, body, done in
                    storageOp(p, done) { s, c in
                        let k = try StorageKey(validating: requireString(key, "key"))
                        let type = try contentType.map { try requireString($0, "content type") }
                        c.succeed(try s.put(key: k, contentType: type, body: PluginReader(body), call: PluginCall(call)))
                    }
                },
                get: { p, call, key, offset, length, sink, done in
                    storageOp(p, done) { s, c in
                        let k = try StorageKey(validating: requireString(key, "key"))
                        guard offset >= 0, length >= -1 else {
                            throw PluginError(.invalidArgument, "invalid range offset \(offset) length \(length)")
                        }
                        let info = try s.get(
                            key: k, offset: offset, length: length < 0 ? nil : length,
                            sink: PluginWriter(sink), call: PluginCall(call))
                        c.succeed(info)
                    }
                },
                stat: { p, call, key, done in
                    storageOp(p, done) { s, c in
                        c.succeed(try s.stat(key: StorageKey(validating: requireString(key, "key")), call: PluginCall(call)))
                    }
                },
                remove: { p, call, key, done in
                    storageOp(p, done) { s, c in
                        try s.remove(key: StorageKey(validating: requireString(key, "key")), call: PluginCall(call))
                        c.succeed()
                    }
                },
                list: { p, call, prefix, cursor, limit, done in
                    storageOp(p, done) { s, c in
                        guard (1...1000).contains(limit) else { throw PluginError(.invalidArgument, "limit must be 1...1000") }
                        let pre = try prefix.map { try requireString($0, "prefix") } ?? ""
                        let cur = try cursor.map { try requireString($0, "cursor") }
                        c.succeed(try s.list(prefix: pre, cursor: cur, limit: Int(limit), call: PluginCall(call)))
                    }
                }
            ))
        return table
    }()

    /// Copies a string result into a caller-owned buffer, reporting the needed size.
    private static func copyOut(_ value: String, _ buf: UnsafeMutablePointer<CChar>?, _ cap: Int) throws {
        let bytes = Array(value.utf8)
        guard let buf, bytes.count + 1 <= cap else {
            throw PluginError(.invalidArgument, "buffer of \(cap) bytes is too small", detail: Int32(clamping: bytes.count + 1))
        }
        UnsafeMutableRawBufferPointer(start: buf, count: cap).copyBytes(from: bytes + [0])
    }

    private static func syncOp(_ err: UnsafeMutablePointer<kn_error_t>?, _ body: () throws -> Void) -> kn_status_t {
        do {
            try body()
            return KN_OK
        } catch {
            let e = PluginError(wrapping: error)
            kn_error_t.fill(err, e)
            return e.status.rawValue
        }
    }

    nonisolated(unsafe) static let presign: UnsafeMutablePointer<kn_storage_presign_v1_t> = {
        let table = UnsafeMutablePointer<kn_storage_presign_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_storage_presign_v1_t(presign: { p, key, method, ttl, buf, cap, err in
                syncOp(err) {
                    guard let s = InstanceBox.of(p)?.plugin as? any PresigningStoragePlugin else {
                        throw PluginError(.unsupported, "not a presigning storage instance")
                    }
                    let url = try s.presign(
                        key: StorageKey(validating: requireString(key, "key")),
                        method: requireString(method, "method"), ttlSeconds: ttl)
                    try copyOut(url, buf, cap)
                }
            }))
        return table
    }()

    nonisolated(unsafe) static let localFile: UnsafeMutablePointer<kn_storage_localfile_v1_t> = {
        let table = UnsafeMutablePointer<kn_storage_localfile_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_storage_localfile_v1_t(local_path: { p, key, buf, cap, err in
                syncOp(err) {
                    guard let s = InstanceBox.of(p)?.plugin as? any LocalFileStoragePlugin else {
                        throw PluginError(.unsupported, "not a local-file storage instance")
                    }
                    try copyOut(s.localPath(for: StorageKey(validating: requireString(key, "key"))), buf, cap)
                }
            }))
        return table
    }()

    nonisolated(unsafe) static let moderation: UnsafeMutablePointer<kn_moderation_v1_t> = {
        let table = UnsafeMutablePointer<kn_moderation_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_moderation_v1_t(classify: { p, call, mediaType, media, done in
                let completion = Completion(raw: done)
                do {
                    guard let m = InstanceBox.of(p)?.plugin as? any ModerationPlugin else {
                        throw PluginError(.invalidArgument, "not a moderation plugin instance")
                    }
                    let labels = try m.classify(
                        mediaType: requireString(mediaType, "media type"),
                        media: PluginReader(media), call: PluginCall(call))
                    ModerationLabel.verdictJSON(labels).withCString { completion.succeed(UnsafeRawPointer($0)) }
                } catch {
                    completion.fail(error)
                }
            }))
        return table
    }()

    nonisolated(unsafe) static let moderationFeedback: UnsafeMutablePointer<kn_moderation_feedback_v1_t> = {
        let table = UnsafeMutablePointer<kn_moderation_feedback_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_moderation_feedback_v1_t(feedback: { p, call, mediaType, content, label, decision, done in
                let completion = Completion(raw: done)
                do {
                    guard let m = InstanceBox.of(p)?.plugin as? any ModerationFeedbackPlugin else {
                        throw PluginError(.invalidArgument, "not a moderation feedback plugin instance")
                    }
                    let feedback = try ModerationFeedback(
                        label: requireString(label, "label"), mediaType: requireString(mediaType, "media type"),
                        detailsJSON: requireString(decision, "decision"))
                    try m.feedback(feedback, content: PluginReader(content), call: PluginCall(call))
                    completion.succeed()
                } catch {
                    completion.fail(error)
                }
            }))
        return table
    }()

    nonisolated(unsafe) static let packager: UnsafeMutablePointer<kn_packager_v1_t> = {
        let table = UnsafeMutablePointer<kn_packager_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_packager_v1_t(package: { p, call, presentation, done in
                let completion = Completion(raw: done)
                do {
                    guard let packager = InstanceBox.of(p)?.plugin as? any PackagerPlugin else {
                        throw PluginError(.invalidArgument, "not a packager plugin instance")
                    }
                    let (files, entry) = try packager.package(presentation: requireString(presentation, "presentation"), call: PluginCall(call))
                    completion.succeed(files: files, entry: entry)
                } catch {
                    completion.fail(error)
                }
            }))
        return table
    }()

    nonisolated(unsafe) static let packagerGrowing: UnsafeMutablePointer<kn_packager_growing_v1_t> = {
        let table = UnsafeMutablePointer<kn_packager_growing_v1_t>.allocate(capacity: 1)
        table.initialize(
            to: kn_packager_growing_v1_t(package_growing: { p, call, presentation, done in
                let completion = Completion(raw: done)
                do {
                    guard let packager = InstanceBox.of(p)?.plugin as? any GrowingPackagerPlugin else {
                        throw PluginError(.invalidArgument, "not a growing packager plugin instance")
                    }
                    let (files, entry) = try packager.packageGrowing(
                        presentation: requireString(presentation, "presentation"), call: PluginCall(call))
                    completion.succeed(files: files, entry: entry)
                } catch {
                    completion.fail(error)
                }
            }))
        return table
    }()
}
