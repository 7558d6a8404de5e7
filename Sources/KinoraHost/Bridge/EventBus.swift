import KinoraConfiguration
import NIOConcurrencyHelpers

/// An event published by a plugin or by the daemon itself, with its source kept so a
/// subscriber can tell which instance spoke.
///
/// ```swift
/// for await event in environment.events.subscribe() where event.topic == "storage.quota" {
///     print(event.source ?? "daemon", event.payload["used"]?.intValue ?? 0)
/// }
/// ```
public struct HostEvent: Sendable {
    public var topic: String
    /// The plugin instance that emitted it, nil for the daemon.
    public var source: String?
    public var payload: JSONValue
}

/// In-process publish/subscribe. Publishing never blocks: a subscriber that falls more than
/// `bufferSize` events behind loses the oldest, so a slow subscriber can never stall a plugin
/// call that emits.
///
/// ```swift
/// let events = EventBus()
/// let environment = HostEnvironment(logger: logger, version: kinoraVersion, events: events)
/// Task {
///     for await event in events.subscribe(bufferSize: 64) { logger.info("event \(event.topic)") }
/// }
/// ```
public final class EventBus: Sendable {
    private let subscribers = NIOLockedValueBox<[Int: AsyncStream<HostEvent>.Continuation]>([:])
    private let nextID = NIOLockedValueBox(0)

    public init() {}

    public func publish(_ event: HostEvent) {
        for continuation in subscribers.withLockedValue({ Array($0.values) }) {
            continuation.yield(event)
        }
    }

    /// A stream of every event published from now on.
    public func subscribe(bufferSize: Int = 256) -> AsyncStream<HostEvent> {
        let id = nextID.withLockedValue { value in
            value += 1
            return value
        }
        let (stream, continuation) = AsyncStream.makeStream(of: HostEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLockedValue { $0.removeValue(forKey: id) }
        }
        subscribers.withLockedValue { $0[id] = continuation }
        return stream
    }
}
