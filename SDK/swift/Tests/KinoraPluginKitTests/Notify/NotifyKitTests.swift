import KinoraPluginKit
import Testing

/// The notify binding's own logic: what the kit reads from a message and refuses before a
/// plugin sees it, and the outcome and report objects it writes.
@Suite struct NotifyKitTests {
    static let full = #"""
        {"to":{"endpoint":"https://push.example/x","keys":{"p256dh":"BKey","auth":"QXV0aA"}},"to_name":"Alice","subject":"New video",
         "text":"Hi","html":"<p>Hi</p>","headers":{"List-Unsubscribe":"<https://k.example/u/T>"},"idempotency_key":"n7f3",
         "event":"video.published","language":"en","data":{"video_id":"v1"},"later":true}
        """#

    @Test func aMessageIsReadWithEveryKey() throws {
        let m = try NotifyMessage(json: Self.full)
        #expect(m.to == .webPush(WebPushSubscription(endpoint: "https://push.example/x", p256dh: "BKey", auth: "QXV0aA")))
        #expect(m.toName == "Alice" && m.subject == "New video" && m.text == "Hi" && m.html == "<p>Hi</p>")
        #expect(m.headers == ["List-Unsubscribe": "<https://k.example/u/T>"] && m.idempotencyKey == "n7f3")
        #expect(m.event == "video.published" && m.language == "en" && m.data == ["video_id": "v1"])
        #expect(m.raw["later"] == true, "unknown keys are kept")
        #expect(m.messageID(domain: "k.example") == "<n7f3@k.example>")
        #expect(try NotifyMessage(json: #"{"text":"","idempotency_key":"a b<c>@d"}"#).messageID(domain: "k") == "<a-b-c--d@k>")
    }

    @Test(arguments: [
        ("not json", "is not JSON"), ("[]", "not a JSON object"), (#"{"idempotency_key":"k"}"#, "no \"text\""),
        (#"{"text":"t"}"#, "no \"idempotency_key\""), (#"{"text":"t","idempotency_key":""}"#, "no \"idempotency_key\""),
        (#"{"text":1,"idempotency_key":"k"}"#, "message.text is a number"),
        (#"{"text":"t","idempotency_key":"k","headers":{"X-A":"ok\r\nBcc: x@y"}}"#, "message.headers.X-A contains CR, LF or NUL"),
        (#"{"text":"t","idempotency_key":"k","headers":{"X-A":"ok\nBcc: x@y"}}"#, "message.headers.X-A contains CR, LF or NUL"),
        (#"{"text":"t","idempotency_key":"k","headers":{"Bcc: x\r\nX":"v"}}"#, "is not a header name"),
        (#"{"text":"t","idempotency_key":"k","to":{"endpoint":"e"}}"#, "without \"endpoint\" and \"keys\""),
        (#"{"text":"t","idempotency_key":"k","to":3}"#, "message.to is a number"),
    ])
    func malformedMessagesAreInvalidArguments(_ json: String, _ reason: String) {
        do {
            _ = try NotifyMessage(json: json)
            Issue.record("accepted \(json)")
        } catch let error as PluginError {
            #expect(error.status == .invalidArgument && error.message.contains(reason), "\(error)")
            #expect(!error.message.contains("Bcc"), "a header's value is never echoed")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func theRecipientMustSuitTheChannel() throws {
        func check(_ to: String, _ kind: NotifyAddressKind) -> Bool {
            (try? NotifyMessage(json: #"{"text":"t","idempotency_key":"k"\#(to.isEmpty ? "" : ",\"to\":" + to)}"#).checkRecipient(for: kind)) != nil
        }
        #expect(check(#""alice@example.org""#, .email) && check(#""+15551234567""#, .phone) && check("", .none) && check(#""x""#, .none))
        #expect(check(#"{"endpoint":"https://p/x","keys":{"p256dh":"a","auth":"b"}}"#, .webpush))
        #expect(!check("", .email) && !check(#""alice""#, .email) && !check(#""a@b\r\nBcc: c@d""#, .email) && !check(#""<a@b>""#, .email))
        #expect(!check(#""5551234567""#, .phone) && !check(#""+0551234567""#, .phone) && !check(#""+1555-1234""#, .phone))
        #expect(!check(#""alice@example.org""#, .webpush) && !check(#"{"endpoint":"e","keys":{"p256dh":"a","auth":"b"}}"#, .email))
    }

    @Test func outcomesAndReportsAreTheDocumentedObjects() throws {
        #expect(NotifyOutcome.delivered(providerID: "m1").json == #"{"outcome":"delivered","provider_id":"m1"}"#)
        #expect(NotifyOutcome.delivered(providerID: nil).json == #"{"outcome":"delivered"}"#)
        #expect(NotifyOutcome.retryable(reason: "421 busy", retryAfter: 30).json == #"{"outcome":"retryable","reason":"421 busy","retry_after_seconds":30}"#)
        #expect(NotifyOutcome.retryable(reason: "x", retryAfter: -5).json.contains(#""retry_after_seconds":0"#), "a negative delay is 0")
        #expect(NotifyOutcome.retryable(reason: "x").json == #"{"outcome":"retryable","reason":"x"}"#)
        #expect(NotifyOutcome.permanent(reason: "410 gone", addressGone: true).json == #"{"address_gone":true,"outcome":"permanent","reason":"410 gone"}"#)
        #expect(NotifyDeliveryReport(providerID: "SM1", status: .failed, reason: "30003").json == #"{"provider_id":"SM1","reason":"30003","status":"failed"}"#)
    }

    @Test func callbackRequestsAreReadAndFormsDecoded() throws {
        let r = try NotifyCallbackRequest(json: #"{"url":"https://k/cb","method":"POST","headers":{"X-Sig":"abc"},"body":"a=1&b=x%20y+z&c&b=2"}"#)
        #expect(r.header("x-sig") == "abc" && r.header("X-SIG") == "abc" && r.url == "https://k/cb")
        #expect(NotifyCallbackRequest.formFields(r.body) == ["a": "1", "b": "2", "c": ""])
        #expect(NotifyCallbackRequest.formFields("m=%E2%9C%93%zz") == ["m": "✓%zz"])
        #expect(NotifyCallbackRequest.constantTimeEquals("abc", "abc") && !NotifyCallbackRequest.constantTimeEquals("abc", "abd"))
        #expect(!NotifyCallbackRequest.constantTimeEquals("abc", "abcd") && !NotifyCallbackRequest.constantTimeEquals("", "a"))
        for bad in ["", "[]", #"{"url":"u"}"#, #"{"body":3}"#] {
            #expect(throws: PluginError.self, "\(bad)") { try NotifyCallbackRequest(json: bad) }
        }
    }
}
