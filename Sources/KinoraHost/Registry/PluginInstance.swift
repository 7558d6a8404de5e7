import Dispatch
import KinoraPluginABI
import Logging
import Metrics
import NIOConcurrencyHelpers

/// One configured instance of a plugin (`plugins.d/<name>.toml`), and the only way the rest
/// of the daemon calls into it. Every call goes through it so that the state check, the
/// worker pool, call serialisation and the call metrics cannot be skipped.
///
/// ```swift
/// if let instance = registry.instance(named: "media") {
///     print(instance.name, instance.pluginID, instance.state.rawValue, instance.lastError ?? "")
///     let client = registry.storage(named: instance.name)  // typed access once it is started
/// }
/// ```
public final class PluginInstance: @unchecked Sendable {
    // `raw` is written once by the registry before the instance is shared; mutable state
    // lives in the locked box.
    /// Where the instance is in its life; only `.started` instances accept calls, the others
    /// are kept so the operator can see why one is missing.
    ///
    /// ```swift
    /// let running = registry.instances.filter { $0.state == .started }
    /// ```
    public enum State: String, Sendable { case created, started, failed, stopped }

    public let name: String
    public let pluginID: String
    public let descriptor: PluginDescriptorInfo
    public let module: LoadedModule
    public let configFile: String?
    /// Segments proxied or redirected (storage instances; `.proxy` for every other kind).
    public let playback: StoragePlayback
    let raw: UnsafePointer<kn_plugin_t>
    let pool: PluginCallPool
    /// Tags this instance's completion tickets, so shutdown can give up on exactly its calls.
    let callOwner: UInt64
    /// The `kn_host_t` create() received, so start() runs as its [main] callback too.
    let host: HostContext?
    private let serializer: DispatchSemaphore?
    private let status = NIOLockedValueBox((state: State.created, lastError: String?.none, inFlight: 0, calls: 0, errors: 0))

    init(
        name: String, descriptor: PluginDescriptorInfo, module: LoadedModule, configFile: String?,
        raw: UnsafePointer<kn_plugin_t>, pool: PluginCallPool, playback: StoragePlayback = .proxy,
        logger: Logger = Logger(label: "kinora.plugins"), host: HostContext? = nil
    ) {
        self.host = host
        callOwner = CompletionTickets.shared.register(owner: name, logger: logger)
        self.playback = playback
        self.name = name
        pluginID = descriptor.id
        self.descriptor = descriptor
        self.module = module
        self.configFile = configFile
        self.raw = raw
        self.pool = pool
        // Created at 0 and signalled once: libdispatch traps if a semaphore is released while
        // below its initial value, which a call in flight at shutdown would otherwise cause.
        serializer = descriptor.serializeCalls ? DispatchSemaphore(value: 0) : nil
        serializer?.signal()
    }

    public var state: State { status.withLockedValue { $0.state } }
    public var lastError: String? { status.withLockedValue { $0.lastError } }
    public var callCount: Int { status.withLockedValue { $0.calls } }
    public var errorCount: Int { status.withLockedValue { $0.errors } }

    func setState(_ state: State, error: String? = nil) {
        status.withLockedValue {
            $0.state = state
            if let error { $0.lastError = error }
        }
    }

    /// The interface table for `id`, or nil when the plugin does not offer it.
    public func interface<T>(_ id: String, as: T.Type) -> UnsafePointer<T>? {
        guard let get = raw.pointee.get_interface, let table = id.withCString({ get(raw, $0) }) else { return nil }
        return table.assumingMemoryBound(to: T.self)
    }

    public func implements(_ id: String) -> Bool { descriptor.interfaces.contains(id) }

    /// Runs a blocking plugin operation on the call pool and awaits its completion.
    /// `decode` turns the borrowed result into a Swift value inside the completion.
    /// `background` work (sending notifications) runs on the pool's low-priority threads:
    /// 100,000 DKIM-signed mails are minutes of CPU that must not slow the requests being
    /// answered meanwhile.
    func invoke<R: Sendable>(
        requestID: String? = nil, deadline: ContinuousClock.Instant? = nil, strings: [String?] = [], background: Bool = false,
        _ operation: @escaping @Sendable (UnsafePointer<kn_plugin_t>, UnsafePointer<kn_call_t>, [UnsafePointer<CChar>?], kn_completion_t) -> Void,
        decode: @escaping @Sendable (UnsafeRawPointer?) throws -> R,
        finished: (@Sendable () -> Void)? = nil
    ) async throws -> R {
        guard state == .started else {
            throw PluginCallError(status: .unavailable, message: "instance is \(state.rawValue)", instance: name)
        }
        status.withLockedValue {
            $0.inFlight += 1
            $0.calls += 1
        }
        defer { status.withLockedValue { $0.inFlight -= 1 } }
        let instanceName = name
        let serializer = self.serializer
        let box = NIOLockedValueBox<CallState?>(nil)
        let started = ContinuousClock.now
        defer {
            let elapsed = (ContinuousClock.now - started).components
            Timer(label: "kinora_host_plugin_call_duration_seconds", dimensions: [("instance", instanceName)])
                .recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        do {
            let result: R = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
                    // `finished` runs at the plugin's completion: the streams it captures stay
                    // alive until the plugin is done with them, even when shutdown stopped
                    // waiting and the plugin completes late.
                    let state = CallState(
                        requestID: requestID, deadline: deadline, strings: strings, owner: callOwner, onRelease: finished
                    ) { status, err, result in
                        serializer?.signal()
                        if status == KN_OK {
                            continuation.resume(with: Result { try decode(result) })
                        } else {
                            continuation.resume(throwing: PluginCallError(status, err, instance: instanceName))
                        }
                    }
                    box.withLockedValue { $0 = state }
                    let raw = ABITable(self.raw)
                    pool.submit(background: background) { active in
                        let completion = state.completion()
                        guard active else {
                            var err = kn_error_t()
                            err.code = KN_E_UNAVAILABLE
                            CallState.setMessage(&err, "the daemon is shutting down")
                            completion.complete(completion.ctx, KN_E_UNAVAILABLE, &err, nil)
                            return
                        }
                        serializer?.wait()
                        operation(raw.pointer, UnsafePointer(state.raw), state.strings, completion)
                        withExtendedLifetime(state) {}  // the call struct outlives the operation
                    }
                }
            } onCancel: {
                box.withLockedValue { $0?.cancel() }
            }
            Counter(label: "kinora_host_plugin_calls_total", dimensions: [("instance", instanceName), ("outcome", "ok")]).increment()
            return result
        } catch {
            status.withLockedValue { $0.errors += 1 }
            let outcome = (error as? PluginCallError)?.status.description ?? "error"
            Counter(label: "kinora_host_plugin_calls_total", dimensions: [("instance", instanceName), ("outcome", outcome)]).increment()
            throw error
        }
    }

    /// Waits (bounded) until no call is in flight, so stop() never races an operation.
    /// - Returns: How many calls are still in flight when the wait ends (0: all completed).
    @discardableResult
    func drain(timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while status.withLockedValue({ $0.inFlight }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return status.withLockedValue { $0.inFlight }
    }

    /// Stops waiting for the calls still in flight (shutdown, after ``drain(timeout:)``): their
    /// tasks resume with `unavailable`, and what the plugin borrowed stays valid, so its late
    /// completion is accepted and ignored.
    func abandonCalls() { CompletionTickets.shared.abandon(owner: callOwner) }
}
