import Foundation
import KinoraCore
import KinoraStore
import KinoraTestSupport
import Testing

/// The account rules the routes used to hold: refusals name their field and keep their type
/// and refusal, secrets round-trip, and the services refuse what the routes refused.
@Suite struct AccountRulesTests {
    func database() throws -> (KinoraDatabase, String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("core-accounts")
        let database = try KinoraDatabase(path: dir + "/kinora.sqlite")
        try database.migrate()
        return (database, dir)
    }

    @Test func disabledAccountIsForbiddenAtSignInAndUnauthenticatedOnAToken() {
        #expect(OIDCError.accountDisabled.problemType == .accountDisabled)
        #expect(OIDCError.accountDisabled.refusal == .forbidden)
        #expect(AccountError.credentialOfDisabledAccount.problemType == .accountDisabled)
        #expect(AccountError.credentialOfDisabledAccount.refusal == .unauthenticated)
    }

    @Test func aWrongEnrolmentCodeIsUnprocessableButAWrongSignInCodeUnauthenticated() {
        #expect(AccountError.enrolmentCodeMismatch.problemType == .invalidTotp)
        #expect(AccountError.enrolmentCodeMismatch.refusal == .unprocessable)
        #expect(AccountError.invalidTotp.refusal == .unauthenticated)
    }

    @Test func throttledRefusalsSayWhenToComeBack() {
        for error in [AccountError.tooManyFailedAttempts(seconds: 7), .tooManyResetTokens(seconds: 7), .tooManySignups(seconds: 7)] {
            #expect(error.problemType == .tooManyAttempts && error.retryAfter == 7 && error.refusal == .tooManyRequests)
            #expect(error.detail?.contains("7 s") == true)
        }
        #expect(AccountError.tooManySignups(seconds: 1).title == "Too many sign-ups")
    }

    @Test func fieldRefusalsNameTheField() throws {
        #expect(AccountError.wrongPassword(field: "current_password").extra == ["field": "current_password"])
        #expect(AccountError.usernameTaken("kit").extra == ["field": "username"])
        #expect(AccountError.badRequest("no").extra.isEmpty)
        #expect(
            throws: AccountError.invalidField(
                field: "display_name", detail: "the display name must have 1 to 64 characters and no control characters")
        ) {
            try Accounts.checkDisplayName("   ")
        }
        #expect(try Accounts.checkDisplayName("  Kit ") == "Kit")
        #expect(throws: AccountError.self) { try Accounts.role(named: "owner") }
        #expect(try Accounts.role(named: "creator") == .creator)
        #expect(throws: AccountError.invalidField(field: "expires_in_days", detail: "expires_in_days must be from 1 to 365")) {
            try Accounts.days(0, in: 1...365, field: "expires_in_days", from: Date())
        }
        do {
            try Accounts.checkPassword("short", username: "kit", field: "new_password")
            Issue.record("a short password passed")
        } catch {
            #expect(error.problemType == .invalidField && error.extra == ["field": "new_password"])
        }
    }

    @Test func csrfTokensDifferEachTimeAndAllMatchTheSecret() {
        let secret = Secrets.newToken().token
        let first = Secrets.maskCSRF(secret), second = Secrets.maskCSRF(secret)
        #expect(first != second)
        #expect(Secrets.csrfMatches(first, secret: secret) && Secrets.csrfMatches(second, secret: secret))
        #expect(!Secrets.csrfMatches(first, secret: Secrets.newToken().token))
        #expect(!Secrets.csrfMatches(secret, secret: secret))
    }

    @Test func secretsHaveTheirShapes() {
        let token = Secrets.newToken()
        #expect(token.hash == Secrets.hash(token.token) && token.hash.count == 64)
        let codes = Secrets.newRecoveryCodes(count: 10)
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(codes.allSatisfy { $0.wholeMatch(of: /[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/) != nil })
        #expect(
            Secrets.recoveryCodeHash(codes[0].uppercased(), userID: "u")
                == Secrets.recoveryCodeHash(codes[0].replacingOccurrences(of: "-", with: ""), userID: "u"))
        #expect(Secrets.newTOTPSecret().count == 32 && Secrets.generatePassword().count == 20)
    }

    @Test func apiKeyNamesAreTrimmedAndBounded() throws {
        #expect(try APIKeys.checkName("  ci  ") == "ci")
        #expect(throws: AccountError.self) { try APIKeys.checkName(String(repeating: "x", count: 65)) }
        #expect(throws: AccountError.self) { try APIKeys.checkName("a\u{7}b") }
    }

    @Test func invitationsCheckTheirLimitsAndDeleteOnlyWhatExists() throws {
        let (database, dir) = try database()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let invitations = Invitations(database: database, defaultRole: .creator)
        #expect(throws: AccountError.invalidField(field: "max_uses", detail: "max_uses must be from 1 to 10000")) {
            try invitations.create(role: nil, maxUses: 0, expiresInDays: nil, createdBy: nil)
        }
        let (invitation, code) = try invitations.create(role: nil, maxUses: nil, expiresInDays: nil, createdBy: nil)
        #expect(invitation.role == "creator" && invitation.maxUses == 1 && invitation.codeHash == Secrets.hash(code))
        try invitations.delete(id: invitation.id)
        #expect(throws: AccountError.notFound("no invitation \(invitation.id)")) { try invitations.delete(id: invitation.id) }
    }

    @Test func jobStatesAreCheckedBeforeAnyQuery() throws {
        #expect(try JobAdministration.state(nil) == nil)
        do {
            _ = try JobAdministration.state("sleeping")
            Issue.record("an unknown state passed")
        } catch let error as Refused {
            #expect(error.problemType == .invalidParameter && error.extra == ["parameter": "state"] && error.title == "Invalid state")
        }
    }

    @Test func userAgentsAreSummarised() {
        #expect(UserAgentSummary.describe("Mozilla/5.0 (Windows NT 10.0) Chrome/120 Safari/537 Edg/120") == "Edge on Windows")
        #expect(UserAgentSummary.describe("curl/8.5.0") == "curl")
    }
}
