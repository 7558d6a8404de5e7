import KinoraPluginABI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls a completion exactly once, with ABI-shaped results that live only for the call.
struct Completion {
    let raw: kn_completion_t

    func fail(_ error: any Error) {
        let e = PluginError(wrapping: error)
        var err = kn_error_t()
        kn_error_t.fill(&err, e)
        raw.complete?(raw.ctx, e.status.rawValue, &err, nil)
    }

    func succeed(_ result: UnsafeRawPointer? = nil) {
        raw.complete?(raw.ctx, KN_OK, nil, result)
    }

    func succeed(_ info: ObjectInfo) {
        info.withCInfo { succeed(UnsafeRawPointer($0)) }
    }

    func succeed(_ page: ObjectPage) {
        // Strings must outlive the completion call only; strdup them and free afterwards.
        var owned: [UnsafeMutablePointer<CChar>] = []
        func dup(_ s: String?) -> UnsafePointer<CChar>? {
            guard let s, let p = strdup(s) else { return nil }
            owned.append(p)
            return UnsafePointer(p)
        }
        var items = page.items.map {
            kn_object_info_t(
                key: dup($0.key), size: $0.size, mtime_unix_ns: $0.modifiedUnixNanoseconds,
                etag: dup($0.etag), content_type: dup($0.contentType))
        }
        let cursor = dup(page.nextCursor)
        items.withUnsafeMutableBufferPointer { buffer in
            var list = kn_object_list_t(items: UnsafePointer(buffer.baseAddress), count: buffer.count, next_cursor: cursor)
            withUnsafePointer(to: &list) { succeed(UnsafeRawPointer($0)) }
        }
        owned.forEach { free($0) }
    }
}

extension Completion {
    func succeed(files: [ManifestFile], entry: String) {
        var owned: [UnsafeMutablePointer<CChar>] = []
        func dup(_ s: String) -> UnsafePointer<CChar>? {
            guard let p = strdup(s) else { return nil }
            owned.append(p)
            return UnsafePointer(p)
        }
        // Copies of the bytes, alive until the completion returns.
        let buffers = files.map { file -> UnsafeMutableBufferPointer<UInt8> in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, file.data.count))
            _ = buffer.initialize(from: file.data)
            return buffer
        }
        var items = zip(files, buffers).map { file, buffer in
            kn_manifest_file_t(name: dup(file.name), media_type: dup(file.mediaType), data: UnsafePointer(buffer.baseAddress), size: file.data.count)
        }
        let entryPointer = dup(entry)
        items.withUnsafeMutableBufferPointer { buffer in
            var set = kn_manifest_set_t(files: UnsafePointer(buffer.baseAddress), count: buffer.count, entry: entryPointer)
            withUnsafePointer(to: &set) { succeed(UnsafeRawPointer($0)) }
        }
        owned.forEach { free($0) }
        buffers.forEach { $0.deallocate() }
    }
}

func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}

extension ObjectInfo {
    func withCInfo<R>(_ body: (UnsafePointer<kn_object_info_t>) -> R) -> R {
        key.withCString { k in
            withOptionalCString(etag) { e in
                withOptionalCString(contentType) { c in
                    var info = kn_object_info_t(key: k, size: size, mtime_unix_ns: modifiedUnixNanoseconds, etag: e, content_type: c)
                    return body(&info)
                }
            }
        }
    }
}

/// A borrowed C string as Swift, refusing invalid UTF-8 instead of silently repairing it
/// (a repaired key would name a different object).
func requireString(_ p: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let p else { throw PluginError(.invalidArgument, "\(what) is NULL") }
    guard let s = String(validatingCString: p) else { throw PluginError(.invalidArgument, "\(what) is not valid UTF-8") }
    return s
}
