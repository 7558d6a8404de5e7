/// Why an account operation was refused: signing in, tokens, passwords, sign-up, invitations,
/// two-factor and account administration. Details name what was wrong, never a password,
/// code or token.
public enum AccountError: DomainError, Equatable, CustomStringConvertible {
    /// The username or the password is wrong, or the account is disabled (not told apart).
    case invalidCredentials
    case totpRequired
    /// A second factor at sign-in that is wrong, expired, used, or an unknown recovery code.
    case invalidTotp
    /// The first code of an enrolment does not match the new secret (422, not 401).
    case enrolmentCodeMismatch
    /// Too many wrong passwords or codes for the account or from the address.
    case tooManyFailedAttempts(seconds: Int)
    case tooManyResetTokens(seconds: Int)
    case tooManySignups(seconds: Int)
    case invalidRefreshToken
    case invalidResetToken
    /// The bootstrap admin token acts as no account.
    case noAccount
    /// The caller's account was deleted or disabled since its credential was issued.
    case accountNoLongerExists
    /// Signed-in only, and the request carries no credential.
    case needsCredentials(String)
    /// A credential issued before its account was disabled (401 here, 403 at sign-in).
    case credentialOfDisabledAccount
    /// A credential whose account was deleted.
    case accountGone
    /// A confirmation's password (`current_password` when changing it) is wrong.
    case wrongPassword(field: String)
    /// The password a sensitive action asks for again is wrong; `detail` says which action.
    case invalidPassword(detail: String)
    case signupClosed
    case invitationRequired
    case invalidInvitation
    case usernameTaken(String)
    case lastAdmin(String)
    case totpEnabled
    case totpNotEnabled
    case noTotpEnrolment
    /// A well-formed value that breaks a rule (422, `field` names it).
    case invalidField(field: String, detail: String)
    /// A missing or mistyped member (400); `field` when one is to blame.
    case badRequest(String, field: String? = nil)
    case insufficientScope(String)
    case forbidden(String)
    case notFound(String)
    case noSession

    public var problemType: ProblemType {
        switch self {
        case .invalidCredentials: .invalidCredentials
        case .totpRequired: .totpRequired
        case .invalidTotp, .enrolmentCodeMismatch: .invalidTotp
        case .tooManyFailedAttempts, .tooManyResetTokens, .tooManySignups: .tooManyAttempts
        case .invalidRefreshToken: .invalidRefreshToken
        case .invalidResetToken: .invalidResetToken
        case .noAccount: .noAccount
        case .accountNoLongerExists, .needsCredentials: .unauthorized
        case .credentialOfDisabledAccount: .accountDisabled
        case .accountGone: .accountGone
        case .wrongPassword: .wrongPassword
        case .invalidPassword: .invalidPassword
        case .signupClosed: .signupClosed
        case .invitationRequired: .invitationRequired
        case .invalidInvitation: .invalidInvitation
        case .usernameTaken: .usernameTaken
        case .lastAdmin: .lastAdmin
        case .totpEnabled: .totpEnabled
        case .totpNotEnabled: .totpNotEnabled
        case .noTotpEnrolment: .noTotpEnrolment
        case .invalidField: .invalidField
        case .badRequest: .badRequest
        case .insufficientScope: .insufficientScope
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .noSession: .noSession
        }
    }

    public var refusal: Refusal {
        switch self {
        case .enrolmentCodeMismatch: .unprocessable
        case .credentialOfDisabledAccount: .unauthenticated
        default: problemType.refusal
        }
    }

    public var title: String {
        switch self {
        case .tooManyFailedAttempts: "Too many failed attempts"
        case .tooManySignups: "Too many sign-ups"
        default: problemType.title
        }
    }

    public var detail: String? { description }

    public var description: String {
        switch self {
        case .invalidCredentials: "the username or the password is wrong"
        case .totpRequired:
            "this account has two-factor authentication: send the authenticator's code (or a recovery code) as \"totp\""
        case .invalidTotp: "the code is wrong, expired or already used, or the recovery code is unknown or spent"
        case .enrolmentCodeMismatch: "the code does not match the secret; check the device's clock and send the current code"
        case .tooManyFailedAttempts(let seconds):
            "too many wrong passwords or codes for this account, or from this address; try again in \(seconds) s"
        case .tooManyResetTokens(let seconds): "too many bad reset tokens from this address; try again in \(seconds) s"
        case .tooManySignups(let seconds): "too many sign-up attempts from this address; try again in \(seconds) s"
        case .invalidRefreshToken: "the refresh token is unknown, expired, revoked or already used"
        case .invalidResetToken: "the reset token is unknown, used or expired; ask an admin for a new one"
        case .noAccount: "the bootstrap admin token belongs to no account"
        case .accountNoLongerExists: "the account no longer exists"
        case .credentialOfDisabledAccount: "this account is disabled; its credentials no longer work"
        case .accountGone: "the account these credentials belong to no longer exists"
        case .wrongPassword(let field): "\(field) is not the account's password"
        case .invalidPassword(let detail): detail
        case .signupClosed: "this server does not take new accounts; ask an admin for one"
        case .invitationRequired: "sign-up needs an invitation code from an admin; send it as \"invitation\""
        case .invalidInvitation: "the invitation code is unknown, expired, revoked or used up"
        case .usernameTaken(let name): "the username \"\(name)\" is taken"
        case .lastAdmin(let why): why
        case .totpEnabled: "two-factor authentication is on; disable it first to enrol a new device"
        case .totpNotEnabled: "this account has no two-factor authentication"
        case .noTotpEnrolment: "start with POST /api/v1/me/totp, then confirm with a code from the authenticator app"
        case .invalidField(_, let detail), .badRequest(let detail, _), .needsCredentials(let detail), .insufficientScope(let detail),
            .forbidden(let detail),
            .notFound(let detail):
            detail
        case .noSession: "this request carries no session cookie (bearer tokens have no session)"
        }
    }

    public var extra: [String: String] {
        switch self {
        case .wrongPassword(let field), .invalidField(let field, _): ["field": field]
        case .badRequest(_, let field?): ["field": field]
        case .usernameTaken: ["field": "username"]
        default: [:]
        }
    }

    public var retryAfter: Int? {
        switch self {
        case .tooManyFailedAttempts(let seconds), .tooManyResetTokens(let seconds), .tooManySignups(let seconds): seconds
        default: nil
        }
    }
}
