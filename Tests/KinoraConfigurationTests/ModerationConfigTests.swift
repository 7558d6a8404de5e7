import Foundation
import KinoraConfiguration
import KinoraTestSupport
import Testing

@Suite struct ModerationConfigTests {
    func load(_ text: String) throws -> KinoraConfig {
        let path = try TestEnvironment.makeTemporaryDirectory("moderation-config") + "/kinora.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try KinoraConfig.load(path)
    }

    @Test func withoutTheTableNoClassifierRunsAndTheCommentLimitsHaveDefaults() throws {
        let config = try load("")
        #expect(config.moderation.classifiers.isEmpty)
        #expect(config.moderation.maxCommentCharacters == 10_000 && config.moderation.onFailure == .hold)
    }

    @Test func policyKeysParse() throws {
        let config = try load(
            """
            [moderation]
            classifiers = ["wordlist", "spam"]
            hold_score = 0.4
            remove_score = 0.95
            reports_to_hide = 5
            on_failure = "publish"
            classifier_timeout_ms = 200
            new_account_link_hours = 48
            comments_per_minute = 3
            max_links = 1
            max_comment_chars = 500
            """)
        let moderation = config.moderation
        #expect(moderation.classifiers == ["wordlist", "spam"] && moderation.holdScore == 0.4 && moderation.removeScore == 0.95)
        #expect(moderation.reportsToHide == 5 && moderation.onFailure == .publish && moderation.classifierTimeoutMs == 200)
        #expect(moderation.newAccountLinkHours == 48 && moderation.commentsPerMinute == 3 && moderation.maxLinks == 1)
        #expect(moderation.maxCommentCharacters == 500)
    }

    @Test func badPolicyValuesNameTheirKey() throws {
        for (text, key) in [
            ("[moderation]\nhold_score = 1.5\n", "moderation.hold_score"),
            ("[moderation]\nhold_score = 0.8\nremove_score = 0.5\n", "moderation.remove_score"),
            ("[moderation]\non_failure = \"panic\"\n", "moderation.on_failure"),
            ("[moderation]\nclassifiers = [\"../evil\"]\n", "moderation.classifiers"),
            ("[moderation]\nmax_comment_chars = 0\n", "moderation.max_comment_chars"),
        ] {
            let errors = #expect(throws: ConfigErrors.self) { try load(text) }
            #expect(errors?.description.contains(key) == true, "\(text) → \(errors?.description ?? "no error")")
        }
    }
}
