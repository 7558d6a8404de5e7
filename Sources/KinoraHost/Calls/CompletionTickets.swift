import Logging
import NIOConcurrencyHelpers

/// The calls the host waits for, by ticket. A completion's `ctx` is a ticket number, never an
/// object's address, so the host survives the two plugin bugs the ABI promises to survive:
/// a completion invoked twice (the second finds no ticket: ignored, logged once per instance)
/// and a completion that arrives after shutdown gave up on the call (ignored, logged once).
///
/// A ticket's top 16 bits name the instance that owns the call, so both the shutdown (which
/// gives up on one instance's calls) and the logs know whose call it was.
///
/// ```swift
/// let owner = CompletionTickets.shared.register(owner: "media", logger: logger)
/// let state = CallState(requestID: nil, deadline: nil, owner: owner) { status, err, result in … }
/// plugin.stat(…, state.completion())                  // issues the ticket
/// let stuck = CompletionTickets.shared.abandon(owner: owner)  // at shutdown, after the wait
/// ```
final class CompletionTickets: Sendable {
    static let shared = CompletionTickets()

    private struct Owner {
        var name: String
        var logger: Logger
        var duplicateLogged = false
        var lateLogged = false
    }

    private enum Entry {
        case pending(CallState)
        /// Given up at shutdown; kept so what the plugin still borrows stays valid.
        case abandoned(CallState)
    }

    private struct Book {
        var nextOwner: UInt64 = 1
        var nextCall: UInt64 = 1
        var owners: [UInt64: Owner] = [:]
        var entries: [UInt64: Entry] = [:]
    }

    private static let ownerShift: UInt64 = 48
    private let book = NIOLockedValueBox(Book())

    /// A tag for an instance's calls (0, "unknown", once 65535 instances were registered).
    func register(owner name: String, logger: Logger) -> UInt64 {
        book.withLockedValue { book in
            guard book.nextOwner < 1 << 16 else { return 0 }
            let tag = book.nextOwner
            book.nextOwner += 1
            book.owners[tag] = Owner(name: name, logger: logger)
            return tag
        }
    }

    /// The ticket for `state`, as the completion's ctx (never NULL).
    func issue(_ state: CallState) -> UnsafeMutableRawPointer? {
        let ticket = book.withLockedValue { book -> UInt64 in
            let ticket = state.owner << Self.ownerShift | (book.nextCall & (1 << Self.ownerShift - 1))
            book.nextCall = book.nextCall &+ 1 == 1 << Self.ownerShift ? 1 : book.nextCall &+ 1
            book.entries[ticket] = .pending(state)
            return ticket
        }
        return UnsafeMutableRawPointer(bitPattern: UInt(ticket))
    }

    /// The call a completion is for, or nil when it must be ignored (already completed, or
    /// given up at shutdown: then what it borrowed is released now).
    func redeem(_ ctx: UnsafeMutableRawPointer?) -> CallState? {
        let ticket = UInt64(UInt(bitPattern: ctx))
        let owner = ticket >> Self.ownerShift
        let (entry, logger, message) = book.withLockedValue { book -> (Entry?, Logger?, String?) in
            let entry = book.entries.removeValue(forKey: ticket)
            switch entry {
            case .pending:
                return (entry, nil, nil)
            case .abandoned:
                guard var who = book.owners[owner], !who.lateLogged else { return (entry, nil, nil) }
                who.lateLogged = true
                book.owners[owner] = who
                return (entry, who.logger, "plugin instance \(who.name) completed a call after shutdown stopped waiting for it; ignored")
            case nil:
                guard var who = book.owners[owner], !who.duplicateLogged else { return (nil, nil, nil) }
                who.duplicateLogged = true
                book.owners[owner] = who
                return (nil, who.logger, "plugin bug: instance \(who.name) invoked a completion twice; the second call was ignored (logged once)")
            }
        }
        if let message { logger?.error("\(message)") }
        switch entry {
        case .pending(let state): return state
        case .abandoned(let state):
            state.releaseLate()
            return nil
        case nil: return nil
        }
    }

    /// Gives up on every call of `owner` still in flight: each awaiting task resumes with
    /// `unavailable`; a later completion is ignored. Returns how many there were.
    @discardableResult
    func abandon(owner: UInt64) -> Int {
        let states = book.withLockedValue { book -> [CallState] in
            var states: [CallState] = []
            for (ticket, entry) in book.entries where ticket >> Self.ownerShift == owner {
                if case .pending(let state) = entry {
                    states.append(state)
                    book.entries[ticket] = .abandoned(state)
                }
            }
            return states
        }
        states.forEach { $0.abandon() }
        return states.count
    }

    /// How many calls of `owner` are waiting for their completion.
    func pending(owner: UInt64) -> Int {
        book.withLockedValue { book in
            book.entries.reduce(0) { count, item in
                if case .pending = item.value, item.key >> Self.ownerShift == owner { return count + 1 }
                return count
            }
        }
    }
}
