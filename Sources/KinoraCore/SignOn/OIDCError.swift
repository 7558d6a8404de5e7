/// Why a single sign-on step failed. Each case has a stable problem type; the `detail` texts
/// name what was wrong, never a token, code or secret.
public enum OIDCError: DomainError, CustomStringConvertible {
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

    public var description: String {
        switch self {
        case .unknownProvider(let name): "unknown provider \(name)"
        case .badRedirect(let why), .badRequest(let why), .stateInvalid(let why), .providerUnavailable(let why),
            .exchangeFailed(let why), .tokenInvalid(let why), .noAccount(let why):
            why
        case .providerError(let code, let text): "the provider answered \(code)" + (text.map { ": \($0)" } ?? "")
        case .accountDisabled: "the account is disabled"
        case .codeInvalid: "the code is unknown, expired or already used"
        }
    }

    public var problemType: ProblemType {
        switch self {
        case .unknownProvider: .oidcProviderUnknown
        case .badRedirect: .oidcRedirectInvalid
        case .badRequest: .badRequest
        case .stateInvalid: .oidcStateInvalid
        case .providerError: .oidcProviderError
        case .providerUnavailable: .oidcProviderUnavailable
        case .exchangeFailed: .oidcTokenExchangeFailed
        case .tokenInvalid: .oidcTokenInvalid
        case .noAccount: .oidcNoAccount
        case .accountDisabled: .accountDisabled
        case .codeInvalid: .oidcCodeInvalid
        }
    }

    public var detail: String? {
        switch self {
        case .unknownProvider(let name): "no provider named \"\(name)\" is configured"
        case .accountDisabled: "the account this identity signs in to is disabled"
        default: description
        }
    }

    /// Provider-supplied text goes into details and logs: printable ASCII only, bounded.
    public static func sanitized(_ text: String, limit: Int = 200) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(limit)))
    }
}
