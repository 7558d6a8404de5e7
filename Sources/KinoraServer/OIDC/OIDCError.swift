import Hummingbird

/// Why a single sign-on step failed. Each maps to a problem with a stable type; the
/// `detail` texts name what was wrong, never a token, code or secret.
enum OIDCError: Error, CustomStringConvertible {
    case unknownProvider(String)
    case badRedirect(String)
    case badRequest(String)
    /// Unknown, expired, used, another provider's, or started in another browser.
    case stateInvalid(String)
    /// The provider answered the callback with `error=` (the user said no, ...).
    case providerError(code: String, description: String?)
    /// Discovery, JWKS or the token endpoint could not be reached or answered nonsense.
    case providerUnavailable(String)
    /// The token endpoint refused the code.
    case exchangeFailed(String)
    /// The ID token failed a check: signature, issuer, audience, time, nonce, ...
    case tokenInvalid(String)
    case noAccount(String)
    case accountDisabled
    case codeInvalid

    var description: String {
        switch self {
        case .unknownProvider(let name): "unknown provider \(name)"
        case .badRedirect(let why), .badRequest(let why), .stateInvalid(let why), .providerUnavailable(let why),
             .exchangeFailed(let why), .tokenInvalid(let why), .noAccount(let why): why
        case .providerError(let code, let text): "the provider answered \(code)" + (text.map { ": \($0)" } ?? "")
        case .accountDisabled: "the account is disabled"
        case .codeInvalid: "the code is unknown, expired or already used"
        }
    }

    var problem: Problem {
        switch self {
        case .unknownProvider(let name):
            Problem(.notFound, type: "oidc-provider-unknown", title: "Unknown sign-on provider", detail: "no provider named \"\(name)\" is configured")
        case .badRedirect(let why):
            Problem(.badRequest, type: "oidc-redirect-invalid", title: "Invalid redirect", detail: why)
        case .badRequest(let why):
            Problem(.badRequest, type: "bad-request", title: "Bad request", detail: why)
        case .stateInvalid(let why):
            Problem(.badRequest, type: "oidc-state-invalid", title: "Invalid sign-on state", detail: why)
        case .providerError:
            Problem(.unauthorized, type: "oidc-provider-error", title: "The provider refused the sign-on", detail: description)
        case .providerUnavailable(let why):
            Problem(.badGateway, type: "oidc-provider-unavailable", title: "Sign-on provider unavailable", detail: why)
        case .exchangeFailed(let why):
            Problem(.badGateway, type: "oidc-token-exchange-failed", title: "Code exchange failed", detail: why)
        case .tokenInvalid(let why):
            Problem(.unauthorized, type: "oidc-token-invalid", title: "Invalid ID token", detail: why)
        case .noAccount(let why):
            Problem(.forbidden, type: "oidc-no-account", title: "No account for this identity", detail: why)
        case .accountDisabled:
            Problem(.forbidden, type: "account-disabled", title: "Account disabled", detail: "the account this identity signs in to is disabled")
        case .codeInvalid:
            Problem(.badRequest, type: "oidc-code-invalid", title: "Invalid exchange code", detail: description)
        }
    }

    /// Provider-supplied text goes into details and logs: printable ASCII only, bounded.
    static func sanitized(_ text: String, limit: Int = 200) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(limit)))
    }
}
