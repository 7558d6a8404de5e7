import KinoraPluginABI
import KinoraPluginConformance
import KinoraPluginKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The notify suite on channels written with the kit, loaded through the SDK's test host as
/// the daemon loads a module; and broken channels, each failing exactly the cases that check
/// the rule it breaks, with a message that says so.
@Suite struct NotifyConformanceTests {
    /// One module per process, as in the daemon: the kit's entry lists every test channel.
    static let host: Result<ConformanceHost, any Error> = Result {
        try ConformanceHost(entry: {
            PluginModule.entry(OutboxChannel.self, PlainOutboxChannel.self, ResendRefusingChannel.self, RefusingChannel.self).assumingMemoryBound(to: kn_module_entry_t.self)
        })
    }

    static func start(_ pluginID: String, _ config: String) throws -> ConformanceInstance {
        try host.get().start(pluginID: pluginID, config: config)
    }

    /// The cases that fail on `plugin`, with their messages.
    static func failures(_ plugin: PluginUnderTest) async -> [String: String] {
        var failed: [String: String] = [:]
        for check in Conformance.cases(for: plugin) {
            do { try await check.run(plugin) } catch { failed[check.name] = "\(error)" }
        }
        return failed
    }

    @Test(arguments: ["email", "phone", "webpush", "none"])
    func theOutboxPassesEveryCaseForEachAddressKind(_ kind: String) async throws {
        let file = scratchFile("outbox-\(kind)")
        defer { unlink(file) }
        let instance = try Self.start("org.test.notify-outbox", #"{"file":"\#(file)","address_kind":"\#(kind)"}"#)
        defer { instance.close() }
        #expect(Conformance.cases(for: instance.plugin).map(\.name) == NotifyConformance.cases.map(\.name))
        let failed = await Self.failures(instance.plugin)
        #expect(failed.isEmpty, "\(failed)")

        // What reached the outbox: the three well-formed messages in time (send-outcome, the
        // resent one once, send-completes-once; the kit answered the one past its deadline
        // with a timeout), none with the injected header, the recipient chosen for the kind.
        let lines = readLines(file)
        let messages = try lines.map { try JSONValue(parsing: $0) }
        #expect(messages.count == 3, "\(lines)")
        #expect(!lines.contains { $0.contains("injected@example.org") }, "\(lines)")
        let keys = messages.compactMap { $0["idempotency_key"]?.stringValue }
        #expect(Set(keys).count == keys.count && keys.count == messages.count, "one line per idempotency key: \(keys)")
        #expect(messages.allSatisfy { $0["to"] == NotifyConformance.sampleRecipient(addressKind: kind) }, "\(lines)")
    }

    @Test func aChannelWithoutCallbacksHasNoParseCallbackAndPasses() async throws {
        let file = scratchFile("plain")
        defer { unlink(file) }
        let instance = try Self.start("org.test.notify-plain", #"{"file":"\#(file)"}"#)
        defer { instance.close() }
        let table = try #require(instance.plugin.table(KN_NOTIFY_ID, as: kn_notify_v1_t.self))
        #expect(table.pointee.parse_callback == nil)
        #expect(table.pointee.channel_info == nil)
        #expect(try NotifyConformance.parseCallback(instance.plugin, requestJSON: "{}") == nil)
        #expect(try NotifyConformance.channelInfo(instance.plugin) == nil)
        let failed = await Self.failures(instance.plugin)
        #expect(failed.isEmpty, "\(failed)")
    }

    /// No case assumes "delivered": a provider that refuses every message, for now or for
    /// good, is still a conforming channel.
    @Test(arguments: [
        ("busy", #"{"outcome":"retryable","reason":"429 too many requests","retry_after_seconds":30}"#),
        ("gone", #"{"address_gone":true,"outcome":"permanent","reason":"410 subscription expired"}"#),
        ("down", #"{"outcome":"retryable","reason":"connecting to the push service: Connection refused"}"#),
    ])
    func aChannelWhoseProviderRefusesStillPasses(_ answer: String, _ outcome: String) async throws {
        let instance = try Self.start("org.test.notify-refusing", #"{"answer":"\#(answer)"}"#)
        defer { instance.close() }
        let failed = await Self.failures(instance.plugin)
        #expect(failed.isEmpty, "\(failed)")
        let sent = try NotifyConformance.send(instance.plugin, messageJSON: NotifyConformance.sampleMessage(addressKind: "webpush"))
        #expect(sent == outcome)
    }

    @Test func channelInfoIsTheKitsJSONObjectAtOnePointer() throws {
        let file = scratchFile("info")
        defer { unlink(file) }
        let instance = try Self.start("org.test.notify-outbox", #"{"file":"\#(file)"}"#)
        defer { instance.close() }
        let table = try #require(instance.plugin.table(KN_NOTIFY_ID, as: kn_notify_v1_t.self))
        let info = try #require(table.pointee.channel_info)
        let first = info(instance.plugin.raw)
        #expect(first != nil && first == info(instance.plugin.raw), "the kit keeps one string per instance")
        #expect(try NotifyConformance.channelInfo(instance.plugin).map { try JSONValue(parsing: $0) } == ["outbox": .string(file)])
    }

    @Test func aSignedCallbackIsReadAndAForgedOneRefused() throws {
        let file = scratchFile("callbacks")
        defer { unlink(file) }
        let instance = try Self.start("org.test.notify-outbox", #"{"file":"\#(file)","callback_token":"s3cret"}"#)
        defer { instance.close() }
        func request(signature: String, body: String) -> String {
            JSONValue.object(["url": "https://k.example/cb", "method": "POST", "headers": ["x-outbox-signature": .string(signature)], "body": .string(body)]).jsonString
        }
        let report = try NotifyConformance.parseCallback(instance.plugin, requestJSON: request(signature: "s3cret", body: "id=outbox-7&status=failed&reason=550%20no+such+user"))
        #expect(try report.map { try JSONValue(parsing: $0) } == ["provider_id": "outbox-7", "status": "failed", "reason": "550 no such user"])
        do {
            _ = try NotifyConformance.parseCallback(instance.plugin, requestJSON: request(signature: "s3cre", body: "id=outbox-7&status=failed"))
            Issue.record("a callback signed with the wrong token was read")
        } catch let error as PluginCallFailure {
            #expect(error.status == KN_E_PERMISSION && error.message.contains("signature"), "\(error)")
        }
    }

    @Test func aChannelRefusingResendsFailsIdempotentResendOnly() async throws {
        let instance = try Self.start("org.test.notify-resend-refusing", #"{"file":"/nonexistent"}"#)
        defer { instance.close() }
        let failed = await Self.failures(instance.plugin)
        #expect(Array(failed.keys) == ["idempotent-resend"], "\(failed)")
        #expect(failed["idempotent-resend"]?.contains("answered permanent after the first was delivered") == true, "\(failed)")
    }

    @Test func aChannelDeliveringEverythingFailsTheRefusalCases() async {
        let failed = await Self.failures(RawNotifyPlugin.yesMan.plugin)
        #expect(Set(failed.keys) == ["invalid-message", "header-injection", "callback-forged-signature", "callback-unreadable", "channel-info"], "\(failed)")
        #expect(failed["channel-info"]?.contains("channel_info's \"application_server_key\" is 42, not a string") == true, "\(failed)")
        #expect(
            failed["header-injection"]?.contains("a header value with CRLF inside: expected invalid argument or a permanent outcome, got a delivered outcome") == true,
            "\(failed)")
        #expect(failed["invalid-message"]?.contains("send of text that is not JSON: expected invalid argument, but it completed OK") == true, "\(failed)")
        #expect(failed["callback-forged-signature"]?.contains("expected permission denied, but it completed OK") == true, "\(failed)")
    }

    @Test func aNegativeRetryDelayFailsEveryCaseThatReadsAnOutcome() async {
        let failed = await Self.failures(RawNotifyPlugin.negativeDelay.plugin)
        #expect(Set(failed.keys) == ["send-outcome", "idempotent-resend", "past-deadline"], "\(failed)")
        for message in failed.values {
            #expect(message.contains("\"retry_after_seconds\" of a retryable outcome must be a non-negative number, found -30"), "\(message)")
        }
    }
}
