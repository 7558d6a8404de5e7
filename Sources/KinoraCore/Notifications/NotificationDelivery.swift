import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraStore
import Logging
import ServiceLifecycle

/// Drains the outbox: claims due messages, renders each for its recipient at that moment
/// (their language, their address, whether they still want it), hands it to its channel and
/// records the outcome: delivered; retried with exponential backoff and jitter; failed for good
/// after `max_attempts` or a permanent refusal; dropped when there is nothing to send any more.
/// A daemon killed mid-delivery sends those messages again after the restart with the same
/// idempotency key, which the plugins pass to their providers.
public struct NotificationDelivery: Service {
    let database: KinoraDatabase
    let registry: PluginRegistry
    let config: NotificationConfig
    let renderer: MessageRenderer
    let health: ChannelHealth
    let logger: Logger
    /// How long a claimed message is ours: the call's deadline and some.
    let lease: TimeInterval = 90

    public init(
        database: KinoraDatabase, registry: PluginRegistry, config: NotificationConfig, renderer: MessageRenderer, health: ChannelHealth, logger: Logger
    ) {
        self.database = database
        self.registry = registry
        self.config = config
        self.renderer = renderer
        self.health = health
        self.logger = logger
    }

    public func run() async throws {
        // One node on SQLite: messages left `sending` were this node's, cut short by its last
        // stop; on PostgreSQL another node may be sending them, so their leases decide.
        if database.dialect == .sqlite {
            do {
                let released = try database.outbox.releaseInterrupted()
                if released > 0 { logger.info("resending \(released) notification(s) interrupted by the previous stop") }
            } catch {
                logger.error("could not take back the notifications of the previous stop: \(error)")
            }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, config.concurrency) {
                    group.addTask { await workLoop() }
                }
                group.addTask { await announceLoop() }
            }
        } onGracefulShutdown: {
        }
    }

    /// Takes up the fan-outs the last stop cut short, then every few seconds announces the
    /// scheduled videos whose time has come. Reads only, unless there is something to do.
    func announceLoop() async {
        let notifier = Notifier(database: database, registry: registry, config: config)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await BlockingPools.inBackground { try notifier.resumeInterrupted() }
            } catch {
                logger.error("cannot announce scheduled videos: \(error)")
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    func workLoop() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let claimed: [OutboxMessage]
            do {
                let outbox = database.outbox
                let lease = self.lease
                claimed = try await BlockingPools.inBackground { try outbox.claim(limit: 4, lease: lease) }
            } catch {
                logger.error("cannot claim notifications: \(error)")
                try? await Task.sleep(for: .seconds(5))
                continue
            }
            if claimed.isEmpty {
                // Idle: a claim is a write transaction, and eight loops polling often kept
                // SQLite's write lock busy beside the transcodes on a loaded machine.
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            for message in claimed { await deliver(message) }
        }
    }

    /// What to do with a claimed message before sending it.
    enum Preparation {
        /// The rendered message and the outbox rows it carries (several for a digest).
        case send(NotifyClient, String, [OutboxMessage])
        case done
    }

    /// One attempt at one message, its outcome recorded. The database work runs on the
    /// notifications' own threads, the plugin call on the plugin pool.
    public func deliver(_ message: OutboxMessage) async {
        var logger = self.logger
        logger[metadataKey: "notification"] = .stringConvertible(message.id)
        logger[metadataKey: "channel"] = .string(message.channel)
        do {
            let logger = logger
            let prepared = try await BlockingPools.inBackground { try prepare(message, logger: logger) }
            guard case .send(let channel, let rendered, let carried) = prepared else { return }
            let outcome = await channel.send(message: rendered, requestID: message.idempotencyKey, deadline: .now + .seconds(60))
            try await BlockingPools.inBackground {
                for each in carried { try record(each, outcome, logger: logger) }
                if case .permanent(_, addressGone: true) = outcome { try forgetAddress(of: message, kind: channel.addressKind, logger: logger) }
            }
        } catch {
            // The database failed us: the lease runs out and the message is claimed again.
            logger.error("cannot deliver a notification: \(error)")
        }
    }

    /// Quiet hours, the channel, the rendering: a message to send, or nothing (recorded).
    func prepare(_ message: OutboxMessage, logger: Logger) throws -> Preparation {
        guard let channel = registry.notifyChannel(named: message.channel) else {
            try record(message, .retryable(reason: "the channel \(message.channel) is not started", retryAfterSeconds: nil), logger: logger)
            return .done
        }
        // Quiet hours hold everything but security mail until they end.
        if let userID = message.userID, NotificationEvent(rawValue: message.event)?.isSecurity != true,
            let end = try database.notificationSettings.quietHours(userID: userID)?.end(after: Date())
        {
            try database.outbox.postpone(message.id, until: end)
            return .done
        }
        // Digests: the oldest waiting message of a kind leads; it waits out the window, then
        // takes everything of that kind still waiting along as one message. The others wait a
        // window longer, to be taken along (or, if they were being handled just then, to lead
        // the next digest).
        var carried = [message]
        if channel.addressKind == "email", let userID = message.userID, NotificationEvent(rawValue: message.event)?.isSecurity == false,
            try database.notificationSettings.digest(userID: userID)
        {
            let window = config.digestWindowSeconds
            let leader = try database.outbox.digestLeader(userID: userID, event: message.event, channel: message.channel)
            if let leader, leader.id != message.id {
                try database.outbox.postpone(message.id, until: max(Date(), leader.createdAt.addingTimeInterval(window)).addingTimeInterval(window))
                return .done
            }
            let due = message.createdAt.addingTimeInterval(window)
            if due > Date() {
                try database.outbox.postpone(message.id, until: due)
                return .done
            }
            carried += try database.outbox.claimDigest(userID: userID, event: message.event, channel: message.channel, lease: lease)
        }
        let rendered: String
        let made: MessageRenderer.Rendered
        do {
            made = carried.count > 1 ? try renderer.renderDigest(carried, for: channel) : try renderer.render(message, for: channel)
        } catch let missing as TemplateMissing {
            for each in carried { try record(each, .retryable(reason: missing.description, retryAfterSeconds: nil), logger: logger) }
            return .done
        }
        switch made {
        case .message(let json): rendered = json
        case .nothingToSend(let why):
            for each in carried { try database.outbox.finish(each.id, state: "dropped", error: why) }
            logger.debug("notification dropped: \(why)")
            return .done
        }
        return .send(channel, rendered, carried)
    }

    func record(_ message: OutboxMessage, _ outcome: NotifyOutcome, logger: Logger) throws {
        switch outcome {
        case .delivered: health.delivered(message.channel)
        case .retryable(let reason, _): health.failed(message.channel, reason: reason)
        case .permanent: break
        }
        switch outcome {
        case .delivered(let providerID):
            try database.outbox.delivered(message.id, providerID: providerID)
        case .permanent(let reason, let addressGone):
            try database.outbox.finish(message.id, state: "failed", error: reason)
            logger.warning("notification refused for good: \(reason)", metadata: ["address_gone": .stringConvertible(addressGone)])
        case .retryable(let reason, let after):
            guard message.attempts < config.maxAttempts else {
                try database.outbox.finish(message.id, state: "failed", error: "gave up after \(message.attempts) attempts: \(reason)")
                logger.warning("notification failed after \(message.attempts) attempts: \(reason)")
                return
            }
            let delay = max(after ?? 0, Self.backoff(attempt: message.attempts, base: config.retryBaseSeconds, cap: config.retryMaxSeconds))
            try database.outbox.retry(message.id, reason: reason, at: Date().addingTimeInterval(delay))
        }
    }

    /// The provider said the address will never work again (a push subscription answered 410,
    /// a number that cannot receive texts): the account's other messages stop trying it.
    func forgetAddress(of message: OutboxMessage, kind: String, logger: Logger) throws {
        switch kind {
        case "webpush":
            if let id = message.addressID, try database.addresses.removePush(id: id, userID: nil) {
                logger.info("push subscription removed: the push service says it is gone")
            }
        case "phone":
            if let userID = message.userID {
                try database.addresses.removePhone(userID: userID)
                logger.info("phone number removed: the gateway says it cannot receive messages")
            }
        default: break
        }
    }

    /// Full jitter over an exponential ceiling (half of it at least), so retries of many
    /// messages refused at once spread out instead of arriving together again.
    static func backoff(attempt: Int, base: Double, cap: Double) -> TimeInterval {
        let ceiling = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return ceiling * Double.random(in: 0.5...1.0)
    }
}
