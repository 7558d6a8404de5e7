import Foundation
import KinoraTestSupport
import Testing

/// Notifications through the real daemon and the real mail plugin (`org.kinora.notify-smtp`)
/// to a real SMTP server (aiosmtpd with STARTTLS and AUTH, Tests/Fixtures/python/smtp_peer.py),
/// which checks every DKIM signature with dkimpy against the test's public key.
@Suite(.serialized) struct NotificationMailTests {
    struct Setup {
        let dir: String
        let config: String
        let smtp: PythonPeer
        var mails: [[String: Any]] {
            ((try? String(contentsOfFile: dir + "/mail.jsonl", encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// The text of a received mail (quoted-printable decoded by Python's email package).
        func text(_ mail: [String: Any]) -> String { mail["text"] as? String ?? "" }
    }

    static let publicURL = "https://kinora.example"

    /// A DKIM key, the SMTP peer, and a configuration whose mail channel reaches it.
    static func setUp(_ label: String, extraConfig: String = "") async throws -> Setup {
        let dir = try TestEnvironment.makeTemporaryDirectory(label)
        for (command, arguments) in [
            ("genpkey", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir + "/dkim.pem"]),
            ("pkey", ["-in", dir + "/dkim.pem", "-pubout", "-out", dir + "/dkim.pub.pem"]),
        ] {
            let made = try TestEnvironment.run("/usr/bin/openssl", [command] + arguments)
            guard made.status == 0 else { throw TestFailure("openssl \(command): \(made.output)") }
        }
        let smtp = PythonPeer(script: "smtp_peer.py")
        try await smtp.start([
            "--out", dir + "/mail.jsonl", "--cert-out", dir + "/peer.pem", "--user", "kinora", "--password", "mail password 1",
            "--dkim-selector", "k1", "--dkim-domain", "example.org", "--dkim-public-key", dir + "/dkim.pub.pem",
        ])
        try FileManager.default.createDirectory(atPath: dir + "/etc/plugins.d", withIntermediateDirectories: true)
        let files = [
            "kinora.toml": """
                [server]
                public_url = "\(publicURL)"
                [rate_limit]
                enabled = false
                [notifications]
                retry_base_seconds = 0.2
                retry_max_seconds = 1
                \(extraConfig)
                """,
            "plugins.d/media.toml": "plugin = \"org.kinora.storage-local\"\n[settings]\nroot = \"\(dir)/media\"\ncreate_root = true\n",
            "plugins.d/hls.toml": "plugin = \"org.kinora.packager-hls\"\n",
            "plugins.d/dash.toml": "plugin = \"org.kinora.packager-dash\"\n",
            "plugins.d/mail.toml": """
                plugin = "org.kinora.notify-smtp"
                [settings]
                host = "127.0.0.1"
                port = \(smtp.port)
                username = "kinora"
                password = "mail password 1"
                from = "Kinora <noreply@example.org>"
                ca_file = "\(dir)/peer.pem"
                dkim_selector = "k1"
                dkim_domain = "example.org"
                dkim_key_file = "\(dir)/dkim.pem"
                """,
        ]
        for (name, text) in files { try text.write(toFile: dir + "/etc/" + name, atomically: true, encoding: .utf8) }
        return Setup(dir: dir, config: dir + "/etc/kinora.toml", smtp: smtp)
    }

    static func account(_ daemon: DaemonProcess, _ name: String, role: String, email: String? = nil) throws -> (token: String, id: String) {
        let password = "password-\(name)-long"
        let added = try AuthTests.addUser(daemon, name, role: role, password: password, extra: email.map { ["--email", $0] } ?? [])
        guard added.status == 0 else { throw TestFailure("user add \(name): \(added.output)") }
        let token = try AuthTests.tokens(try AuthTests.login(daemon, name, password)).access
        let me = try daemon.api("GET", "/api/v1/me", token: token).object()
        return (token, try #require(me["id"] as? String))
    }

    /// Waits until the peer holds `count` mails (or the timeout), off the cooperative pool.
    static func mails(_ setup: Setup, count: Int, timeout: Duration = .seconds(60)) async throws -> [[String: Any]] {
        _ = try await TestEnvironment.pollOffPool(timeout: timeout, interval: .milliseconds(100)) { () -> Bool? in
            setup.mails.count >= count ? true : nil
        }
        return setup.mails
    }

    @Test func subscribersRepliesAndResetsArriveSignedInTheirLanguageAndOneClickUnsubscribes() async throws {
        let setup = try await Self.setUp("notify-mail")
        defer {
            setup.smtp.stop()
            try? FileManager.default.removeItem(atPath: setup.dir)
        }
        let daemon = try DaemonProcess(dataDir: setup.dir + "/data", arguments: ["--config", setup.config])
        try await daemon.start()
        let cora = try Self.account(daemon, "cora", role: "creator", email: "cora@example.org")
        let fan = try Self.account(daemon, "fan", role: "viewer", email: "fan@example.org")
        let amelie = try Self.account(daemon, "amelie", role: "viewer", email: "amelie@example.org")
        let nomail = try Self.account(daemon, "nomail", role: "viewer")
        #expect(try daemon.api("PUT", "/api/v1/me/preferences", token: amelie.token, ["language": "fr"]).status == 200)
        let channels = try daemon.api("GET", "/api/v1/me/channels", token: cora.token).object()
        let channel = try #require((channels["items"] as? [[String: Any]])?.first?["id"] as? String, "\(channels)")
        for viewer in [fan, amelie, nomail] {
            #expect(try daemon.api("PUT", "/api/v1/channels/\(channel)/subscription", token: viewer.token).status == 201)
        }

        // A new video: each subscriber with an address gets a mail, signed, in their language.
        let video = try daemon.uploadVideo(try VideoUploadTests.makeClip(setup.dir + "/clip.mp4"), fields: ["title": "Night trains"], token: cora.token)
        _ = try await PlaybackTests.waitUntilReady(daemon, id: video)
        let announced = try await Self.mails(setup, count: 2)
        #expect(announced.count == 2, "\(announced)\n\(daemon.log.suffix(3000))")
        for mail in announced {
            #expect(mail["dkim"] as? Bool == true, "DKIM must verify: \(mail)")
            let signed = mail["dkim_h"] as? [String] ?? []
            #expect(signed.contains("list-unsubscribe") && signed.contains("list-unsubscribe-post") && signed.contains("from"), "h=\(signed)")
            #expect(mail["list_unsubscribe_post"] as? String == "List-Unsubscribe=One-Click")
            #expect((mail["list_unsubscribe"] as? String)?.hasPrefix("<\(Self.publicURL)/notifications/unsubscribe/") == true, "\(mail)")
            #expect(mail["auth_user"] as? String == "kinora" && mail["tls"] as? Bool == true)
        }
        let byRecipient = Dictionary(announced.map { (($0["rcpt_tos"] as? [String])?.first ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let toFan = try #require(byRecipient["fan@example.org"])
        let toAmelie = try #require(byRecipient["amelie@example.org"])
        #expect((toFan["subject"] as? String)?.contains("Night trains") == true && (toFan["subject"] as? String)?.hasPrefix("New from") == true)
        #expect((toAmelie["subject"] as? String)?.hasPrefix("Nouveauté de") == true, "\(toAmelie["subject"] ?? "")")
        #expect(setup.text(toFan).contains("\(Self.publicURL)/watch/\(video)"), "\(setup.text(toFan))")
        // In-app too, for everyone subscribed (with or without an address).
        for viewer in [fan, nomail] {
            let inbox = try daemon.api("GET", "/api/v1/me/notifications", token: viewer.token).object()
            let items = inbox["items"] as? [[String: Any]] ?? []
            #expect(items.first?["event"] as? String == "video.published" && inbox["unread_count"] as? Int == 1, "\(inbox)")
            #expect((items.first?["data"] as? [String: Any])?["video_id"] as? String == video)
        }

        // The one-click link works without signing in; a tampered token changes nothing.
        let link = try #require((toFan["list_unsubscribe"] as? String)?.dropFirst().dropLast()).replacingOccurrences(of: Self.publicURL, with: "")
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let tampered = try daemon.request("POST", String(link.dropLast(2)) + "xx", headers: form, body: Array("List-Unsubscribe=One-Click".utf8))
        #expect(tampered.status == 400)
        #expect(try daemon.get(String(link)).body.contains("Unsubscribe"))
        let unsubscribed = try daemon.request("POST", String(link), headers: form, body: Array("List-Unsubscribe=One-Click".utf8))
        #expect((200..<400).contains(Int(unsubscribed.status)), "\(unsubscribed.status) \(unsubscribed.body)")
        let choices = try daemon.api("GET", "/api/v1/me/notification-preferences", token: fan.token).object()
        let published = (choices["events"] as? [String: Any])?["video.published"] as? [String: Bool]
        #expect(published?["email"] == false && published?["in_app"] == true, "\(choices)")

        // A reply tells the comment's author by mail and in-app; a mention tells the named.
        let comment = try daemon.api("POST", "/api/v1/videos/\(video)/comments", token: cora.token, ["body": "Thanks for watching!"]).object()
        let reply = try daemon.api(
            "POST", "/api/v1/videos/\(video)/comments", token: fan.token,
            ["body": "Lovely, @amelie look at 0:01", "parent_id": try #require(comment["id"] as? String)])
        #expect(reply.status == 201, "\(reply.body)")
        let afterReply = try await Self.mails(setup, count: 4)
        let replyMail = afterReply.first { ($0["rcpt_tos"] as? [String]) == ["cora@example.org"] }
        #expect((replyMail?["subject"] as? String)?.contains("replied to your comment") == true, "\(afterReply.map { $0["subject"] ?? "" })")
        let mention = afterReply.first { ($0["rcpt_tos"] as? [String]) == ["amelie@example.org"] && ($0["subject"] as? String)?.contains("mentionn") == true }
        #expect(mention != nil, "\(afterReply.map { $0["subject"] ?? "" })")
        let coraInbox = try daemon.api("GET", "/api/v1/me/notifications", token: cora.token).object()
        let replyItem = try #require((coraInbox["items"] as? [[String: Any]])?.first, "\(coraInbox)")
        #expect(replyItem["event"] as? String == "comment.reply")
        #expect(try daemon.api("POST", "/api/v1/me/notifications/\(replyItem["id"] as? String ?? "")/read", token: cora.token).status == 204)
        #expect(try daemon.api("POST", "/api/v1/me/notifications/\(replyItem["id"] as? String ?? "")/read", token: fan.token).status == 404)
        #expect(try daemon.api("GET", "/api/v1/me/notifications", token: cora.token).object()["unread_count"] as? Int == 0)

        // Live: the stream resumes after the Last-Event-ID it is given.
        let stream = try await TestEnvironment.runOffPool(
            "/usr/bin/curl",
            [
                "-sN", "--max-time", "3", "-H", "Authorization: Bearer \(fan.token)", "-H", "Last-Event-ID: 0",
                "http://127.0.0.1:\(daemon.port)/api/v1/me/notifications/events",
            ])
        #expect(stream.output.contains("event: notification") && stream.output.contains("video.published"), "\(stream.output)")
        #expect(try daemon.api("POST", "/api/v1/me/notifications/read-all", token: fan.token).object()["unread_count"] as? Int == 0)

        // An admin's reset link reaches the owner although they unsubscribed from video mail,
        // and security mail has no unsubscribe link.
        let reset = try daemon.api("POST", "/api/v1/users/\(fan.id)/password-reset", token: daemon.adminToken)
        #expect(reset.status == 201)
        let token = try #require(try reset.object()["token"] as? String)
        let withReset = try await Self.mails(setup, count: 5)
        let resetMail = try #require(withReset.first { ($0["subject"] as? String) == "Reset your password" }, "\(withReset.map { $0["subject"] ?? "" })")
        #expect((resetMail["rcpt_tos"] as? [String]) == ["fan@example.org"] && resetMail["list_unsubscribe"] is NSNull)
        #expect(setup.text(resetMail).contains("\(Self.publicURL)/reset-password#token=\(token)"))
        #expect(!daemon.log.contains(token), "the reset token must not reach the log")

        // The admin's delivery log shows what went out, and the channel answers a test.
        let log = try daemon.api("GET", "/api/v1/admin/notifications?state=delivered", token: daemon.adminToken).object()
        #expect((log["items"] as? [[String: Any]])?.count == 5, "\(log)")
        #expect((log["channels"] as? [[String: Any]])?.first?["address_kind"] as? String == "email")
        let test = try daemon.api("POST", "/api/v1/admin/notifications/test", token: daemon.adminToken, ["channel": "mail", "to": "ops@example.org"])
        #expect(try test.object()["outcome"] as? String == "delivered", "\(test.body)")
        #expect(try daemon.api("GET", "/api/v1/admin/notifications", token: fan.token).status == 403)

        // The mail server goes away: the node stays ready, admins read why mail waits.
        setup.smtp.stop()
        #expect(try daemon.api("POST", "/api/v1/users/\(cora.id)/password-reset", token: daemon.adminToken).status == 201)
        let warned = try await TestEnvironment.pollOffPool(timeout: .seconds(30), interval: .milliseconds(200)) { () -> String? in
            let ready = try daemon.api("GET", "/readyz", token: daemon.adminToken)
            return ready.status == 200 && ready.body.contains("warning: notification channel mail") ? ready.body : nil
        }
        #expect(warned?.contains("deliveries in a row failed") == true, "\(warned ?? "no warning")")
        #expect(try daemon.get("/readyz").body == "ready\n", "anonymous callers are not told")
        #expect(try await daemon.stop() == 0)
    }

    /// An account that chose digests gets mail of one kind as one message per window, listing
    /// each; security mail does not wait, and the inbox has every item at once.
    @Test func aDigestGathersRepliesIntoOneMailAndSecurityMailDoesNotWait() async throws {
        let setup = try await Self.setUp("notify-digest", extraConfig: "digest_window_seconds = 3")
        defer {
            setup.smtp.stop()
            try? FileManager.default.removeItem(atPath: setup.dir)
        }
        let daemon = try DaemonProcess(dataDir: setup.dir + "/data", arguments: ["--config", setup.config])
        try await daemon.start()
        let cora = try Self.account(daemon, "cora", role: "creator", email: "cora@example.org")
        let fan = try Self.account(daemon, "fan", role: "viewer", email: "fan@example.org")
        let chose = try daemon.api("PUT", "/api/v1/me/notification-preferences", token: fan.token, ["digest": true])
        #expect(try chose.object()["digest"] as? Bool == true, "\(chose.body)")
        let video = try daemon.uploadVideo(try VideoUploadTests.makeClip(setup.dir + "/clip.mp4", seconds: 1), fields: ["title": "Harbour"], token: cora.token)
        let parent = try #require(try daemon.api("POST", "/api/v1/videos/\(video)/comments", token: fan.token, ["body": "First!"]).object()["id"] as? String)
        for text in ["Thanks", "Glad you liked it", "More soon"] {
            #expect(try daemon.api("POST", "/api/v1/videos/\(video)/comments", token: cora.token, ["body": text, "parent_id": parent]).status == 201)
        }
        #expect(try daemon.api("GET", "/api/v1/me/notifications", token: fan.token).object()["unread_count"] as? Int == 3)
        // The reset goes out at once, before the window ends.
        #expect(try daemon.api("POST", "/api/v1/users/\(fan.id)/password-reset", token: daemon.adminToken).status == 201)
        let first = try await Self.mails(setup, count: 1, timeout: .seconds(20))
        #expect((first.first?["subject"] as? String) == "Reset your password", "\(first.map { $0["subject"] ?? "" })")
        let all = try await Self.mails(setup, count: 2, timeout: .seconds(30))
        let digests = all.filter { ($0["rcpt_tos"] as? [String]) == ["fan@example.org"] && ($0["subject"] as? String) != "Reset your password" }
        #expect(digests.count == 1, "one digest, not one mail per reply: \(all.map { $0["subject"] ?? "" })")
        let digest = try #require(digests.first)
        #expect(digest["subject"] as? String == "3 new notifications", "\(digest["subject"] ?? "")")
        #expect(setup.text(digest).components(separatedBy: "replied to your comment").count - 1 == 3, "\(setup.text(digest))")
        #expect(digest["dkim"] as? Bool == true && digest["list_unsubscribe"] is String)
        try await Task.sleep(for: .seconds(1))
        #expect(setup.mails.count == 2, "nothing else went out: \(setup.mails.map { $0["subject"] ?? "" })")
        #expect(try await daemon.stop() == 0)
    }
}
