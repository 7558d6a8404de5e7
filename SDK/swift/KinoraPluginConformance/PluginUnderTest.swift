import Dispatch
import KinoraPluginABI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One started plugin instance, seen through its raw C tables: the suites call it the way the
/// daemon does, so they hold for a plugin written in any language.
///
/// ```swift
/// let plugin = PluginUnderTest(rawInstance)  // a started kn_plugin_t*
/// for check in Conformance.cases(for: plugin) { try await check.run(plugin) }
/// ```
public struct PluginUnderTest: @unchecked Sendable {
    // The kn_plugin_t and its tables stay valid until destroy(), which the owner calls only
    // after the suites are done; every operation the suites call is [blocking-ok]/[any].
    public let raw: UnsafePointer<kn_plugin_t>
    let gate: CallGate?

    /// - Parameter raw: A created AND started instance; it must outlive every case run on it.
    public init(_ raw: UnsafePointer<kn_plugin_t>) {
        self.raw = raw
        let flags = raw.pointee.desc?.pointee.flags ?? 0
        gate = flags & UInt64(KN_PLUGIN_FLAG_SERIALIZE_CALLS) != 0 ? CallGate() : nil
    }

    /// The plugin's id from its descriptor.
    public var pluginID: String { raw.pointee.desc?.pointee.id.map { String(cString: $0) } ?? "" }

    /// The interface ids the descriptor declares ("kinora.storage/1", …).
    public var interfaces: [String] {
        var ids: [String] = []
        guard var p = raw.pointee.desc?.pointee.interfaces else { return ids }
        while let id = p.pointee {
            ids.append(String(cString: id))
            p += 1
        }
        return ids
    }

    /// The function table for `id`, or nil when the instance does not offer it.
    public func table<T>(_ id: String, as: T.Type) -> UnsafePointer<T>? {
        guard let get = raw.pointee.get_interface, let table = id.withCString({ get(raw, $0) }) else { return nil }
        return table.assumingMemoryBound(to: T.self)
    }
}

/// What a failed plugin call reported: its status and message.
///
/// ```swift
/// do { _ = try storage.stat("missing") } catch let e as PluginCallFailure where e.status == KN_E_NOT_FOUND {}
/// ```
public struct PluginCallFailure: Error, Sendable, CustomStringConvertible {
    public let status: kn_status_t
    public let message: String
    public init(status: kn_status_t, message: String) {
        self.status = status
        self.message = message
    }
    public var statusName: String { String(cString: kn_status_string(status)) }
    public var description: String { message.isEmpty ? statusName : "\(statusName): \(message)" }
}

/// Holds calls one at a time for instances that set KN_PLUGIN_FLAG_SERIALIZE_CALLS, as the
/// host does.
final class CallGate: @unchecked Sendable {
    // A semaphore created at 0 and signalled once: libdispatch traps when a semaphore is
    // freed below its initial value.
    let semaphore = DispatchSemaphore(value: 0)
    init() { semaphore.signal() }
}

/// The state of one call: the C strings and streams it borrows, and what its completion
/// reported. Never freed (see `PluginCall.perform`), so a completion arriving late or twice
/// finds live memory and is counted instead of corrupting it.
final class CallBox: @unchecked Sendable {
    struct Outcome {
        var completions = 0
        var status: kn_status_t = KN_OK
        var message = ""
    }
    let done = DispatchSemaphore(value: 0)
    let outcome = Mutex(Outcome())
    let decode: (UnsafeRawPointer?) throws -> Any
    // Written by the first completion before it signals `done`, read after the wait.
    var value: Any?
    var decodeError: (any Error)?
    var keepAlive: [AnyObject] = []
    var strings: [UnsafeMutablePointer<CChar>] = []
    let call = UnsafeMutablePointer<kn_call_t>.allocate(capacity: 1)

    init(decode: @escaping (UnsafeRawPointer?) throws -> Any) { self.decode = decode }

    func cString(_ s: String?) -> UnsafePointer<CChar>? {
        guard let s, let p = strdup(s) else { return nil }
        strings.append(p)
        return UnsafePointer(p)
    }

    func release() {
        strings.forEach { free($0) }
        strings = []
        keepAlive = []
        call.deallocate()
    }
}

/// How long a call may take before the case fails instead of waiting forever.
public enum CallLimits {
    public static let seconds = 300
}

enum PluginCallRunner {
    /// Runs one operation: builds its kn_call_t and kn_completion_t, waits for the
    /// completion and returns what `decode` made of the result (valid only inside it).
    static func perform<R>(
        _ plugin: PluginUnderTest, what: String, decode: @escaping (UnsafeRawPointer?) throws -> R,
        _ operation: (UnsafePointer<kn_call_t>, kn_completion_t, CallBox) -> Void
    ) throws -> R {
        let (result, _) = performKeepingBox(plugin, what: what, decode: decode, operation)
        return try result.get()
    }

    /// Like `perform`, also returning the call's box so a case can count late completions.
    /// `requestID` and `deadlineUnixNanoseconds` fill the kn_call_t; `waitSeconds` is how long
    /// the case waits for the completion before it fails.
    static func performKeepingBox<R>(
        _ plugin: PluginUnderTest, what: String, requestID: String = "conformance", deadlineUnixNanoseconds: Int64 = 0,
        waitSeconds: Int = CallLimits.seconds, decode: @escaping (UnsafeRawPointer?) throws -> R,
        _ operation: (UnsafePointer<kn_call_t>, kn_completion_t, CallBox) -> Void
    ) -> (Result<R, any Error>, CallBox) {
        let box = CallBox(decode: { try decode($0) })
        box.call.initialize(
            to: kn_call_t(
                request_id: box.cString(requestID), deadline_unix_ns: deadlineUnixNanoseconds, host_ctx: nil, is_cancelled: { _ in false }))
        let ctx = Unmanaged.passRetained(box).toOpaque()  // never released: see CallBox
        let completion = kn_completion_t(ctx: ctx) { ctx, status, err, result in
            guard let ctx else { return }
            let box = Unmanaged<CallBox>.fromOpaque(ctx).takeUnretainedValue()
            let message = status == KN_OK ? "" : err.map { messageText($0) } ?? ""
            let first = box.outcome.withLock { o -> Bool in
                o.completions += 1
                guard o.completions == 1 else { return false }
                o.status = status
                o.message = message
                return true
            }
            guard first else { return }
            if status == KN_OK {
                do { box.value = try box.decode(result) } catch { box.decodeError = error }
            }
            box.done.signal()
        }
        plugin.gate?.semaphore.wait()
        operation(UnsafePointer(box.call), completion, box)
        let finished = box.done.wait(timeout: .now() + .seconds(waitSeconds)) == .success
        plugin.gate?.semaphore.signal()
        guard finished else { return (.failure(ConformanceFailure("\(what): no completion within \(waitSeconds) s")), box) }
        box.release()
        let outcome = box.outcome.withLock { $0 }
        guard outcome.status == KN_OK else { return (.failure(PluginCallFailure(status: outcome.status, message: outcome.message)), box) }
        if let error = box.decodeError { return (.failure(error), box) }
        return (.success(box.value as! R), box)
    }
}

extension CallBox {
    /// How many times this call's completion has run so far.
    var completions: Int { outcome.withLock { $0.completions } }
}

/// The NUL-terminated message of a kn_error_t, read no further than its array.
func messageText(_ err: UnsafePointer<kn_error_t>) -> String {
    withUnsafeBytes(of: err.pointee.message) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
