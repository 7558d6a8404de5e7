import Foundation
import KinoraCore
import Testing

/// The login throttle's policy with a fixed clock: the pair lock, the account-wide growing
/// delay that spares addresses with no failures, and the per-address limit.
@Suite struct LoginThrottlePolicyTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func fail(_ throttle: LoginThrottle, _ account: String, _ address: String, at now: Date) async throws {
        let ticket = try await throttle.reserve(account: account, address: address, now: now).get()
        await throttle.failed(ticket, now: now)
    }

    static func wait(_ throttle: LoginThrottle, _ account: String, _ address: String, at now: Date) async -> Int? {
        switch await throttle.reserve(account: account, address: address, now: now) {
        case .success(let ticket):
            await throttle.release(ticket)
            return nil
        case .failure(let wait):
            return wait.seconds
        }
    }

    @Test func reservationsCountBeforeTheyAreSettled() async throws {
        let throttle = LoginThrottle()
        var tickets: [LoginThrottle.Ticket] = []
        for _ in 0..<5 { tickets.append(try await throttle.reserve(account: "ann", address: "a", now: Self.start).get()) }
        #expect(await Self.wait(throttle, "ann", "a", at: Self.start) == 900, "five pending attempts fill the pair")
        for ticket in tickets { await throttle.release(ticket) }
        #expect(await Self.wait(throttle, "ann", "a", at: Self.start) == nil, "released attempts count for nothing")
    }

    /// Guesses at one account from two addresses, all reserved before any is settled (the
    /// end-to-end burst of wrong second-factor codes). The account's five are checked, plus
    /// at most the first try of an address that had not failed yet when the five were
    /// reached: that is the owner's way in, so it is the policy and not a race. Never more.
    @Test func concurrentGuessesFromTwoAddressesGetAtMostOneFreshTry() async throws {
        func admitted(_ order: [String]) async -> [String: Int] {
            let throttle = LoginThrottle()
            var counts: [String: Int] = [:]
            for address in order {
                if case .success = await throttle.reserve(account: "cy", address: address, now: Self.start) { counts[address, default: 0] += 1 }
            }
            return counts
        }
        // Interleaved, the five reservations mark both addresses: nothing more is checked.
        #expect(await admitted((0..<40).map { $0 % 2 == 0 ? "a" : "b" }) == ["a": 3, "b": 2])
        // One address's five first: the other address's first try is still a fresh one.
        #expect(await admitted(Array(repeating: "a", count: 20) + Array(repeating: "b", count: 20)) == ["a": 5, "b": 1])
        #expect(await admitted(Array(repeating: "a", count: 5) + (0..<35).map { $0 % 2 == 0 ? "b" : "a" }) == ["a": 5, "b": 1])

        // Truly concurrent, in whatever order the actor takes them: five or six, never more,
        // at most five from one address, and a sixth only as one address's single first try.
        for _ in 0..<50 {
            let throttle = LoginThrottle()
            let admittedFrom = await withTaskGroup(of: String?.self) { group in
                for index in 0..<40 {
                    let address = index % 2 == 0 ? "a" : "b"
                    group.addTask {
                        guard case .success = await throttle.reserve(account: "cy", address: address, now: Self.start) else { return nil }
                        return address
                    }
                }
                return await group.reduce(into: [String: Int]()) { counts, address in
                    if let address { counts[address, default: 0] += 1 }
                }
            }
            let split = admittedFrom.values.sorted()
            #expect(split.reduce(0, +) == 5 || split == [1, 5], "\(admittedFrom)")
        }
    }

    @Test func theAccountDelayGrowsAndSparesFreshAddresses() async throws {
        var policy = LoginThrottle.Policy()
        policy.maxDelay = 10
        let throttle = LoginThrottle(policy: policy)
        for index in 0..<5 { try await Self.fail(throttle, "bo", "x\(index)", at: Self.start) }
        // Five failures from five addresses: an address that failed waits 2 s, a fresh one not.
        #expect(await Self.wait(throttle, "bo", "x0", at: Self.start) == 2)
        #expect(await Self.wait(throttle, "bo", "home", at: Self.start) == nil)
        try await Self.fail(throttle, "bo", "x0", at: Self.start.addingTimeInterval(2))
        #expect(await Self.wait(throttle, "bo", "x1", at: Self.start.addingTimeInterval(2)) == 4)
        try await Self.fail(throttle, "bo", "x1", at: Self.start.addingTimeInterval(6))
        try await Self.fail(throttle, "bo", "x2", at: Self.start.addingTimeInterval(14))
        #expect(await Self.wait(throttle, "bo", "x3", at: Self.start.addingTimeInterval(14)) == 10, "capped at maxDelay")

        // A success clears its own address only: the account's other failures still slow the rest.
        let owner = try await throttle.reserve(account: "bo", address: "home", now: Self.start.addingTimeInterval(14)).get()
        await throttle.succeeded(owner)
        #expect(await Self.wait(throttle, "bo", "x3", at: Self.start.addingTimeInterval(15)) == 9)
        // Everything is forgotten once the window has passed.
        #expect(await Self.wait(throttle, "bo", "x3", at: Self.start.addingTimeInterval(15 * 60 + 15)) == nil)
    }

    @Test func oneAddressHasALimitOverEveryAccount() async throws {
        var policy = LoginThrottle.Policy()
        policy.addressFailures = 3
        let throttle = LoginThrottle(policy: policy)
        for index in 0..<3 { try await Self.fail(throttle, "user\(index)", "nat", at: Self.start) }
        #expect(await Self.wait(throttle, "someone", "nat", at: Self.start.addingTimeInterval(60)) == 840)
        #expect(await Self.wait(throttle, "someone", "elsewhere", at: Self.start.addingTimeInterval(60)) == nil)
    }
}
