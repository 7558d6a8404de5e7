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
