/// Every problem type the daemon answers with: the one list that `share/openapi.yaml` and the
/// README's "Problem types" table are checked against (`ProblemTypeDocsTests`). A client switches on
/// `https://kinora.invalid/problems/<rawValue>`, so a raw value never changes once shipped; add a
/// case here, with its title and refusal, before throwing it anywhere.
///
/// The probe's refusals (`not-media`, `truncated`, …) are `MediaProbeError.code`s and must
/// stay equal to them; `ProblemTypeListTests` checks that.
public enum ProblemType: String, CaseIterable, Sendable {
    case accountDisabled = "account-disabled"
    case accountGone = "account-gone"
    case accountRestricted = "account-restricted"
    case alreadyInPlaylist = "already-in-playlist"
    case alreadyReported = "already-reported"
    case badApiSpec = "bad-api-spec"
    case badCallbackSignature = "bad-callback-signature"
    case badCaptions = "bad-captions"
    case badChecksum = "bad-checksum"
    case badContentType = "bad-content-type"
    case badCursor = "bad-cursor"
    case badDefault = "bad-default"
    case badHeader = "bad-header"
    case badImage = "bad-image"
    case badLabel = "bad-label"
    case badLanguage = "bad-language"
    case badMetadata = "bad-metadata"
    case badRequest = "bad-request"
    case badUnsubscribeToken = "bad-unsubscribe-token"
    case badUpload = "bad-upload"
    case badVisibility = "bad-visibility"
    case badWebTemplate = "bad-web-template"
    case beyondUploadLength = "beyond-upload-length"
    case bootstrapRetired = "bootstrap-retired"
    case categoryExists = "category-exists"
    case channelNotEmpty = "channel-not-empty"
    case checksumMismatch = "checksum-mismatch"
    case commentsDisabled = "comments-disabled"
    case csrfFailed = "csrf-failed"
    case deferLengthUnsupported = "defer-length-unsupported"
    case deliveryFailed = "delivery-failed"
    case empty = "empty"
    case emptyUpload = "empty-upload"
    case fieldTooLarge = "field-too-large"
    case fieldsTooLarge = "fields-too-large"
    case forbidden = "forbidden"
    case handleReserved = "handle-reserved"
    case handleTaken = "handle-taken"
    case incompleteBody = "incomplete-body"
    case insufficientScope = "insufficient-scope"
    case insufficientStorage = "insufficient-storage"
    case internalError = "internal"
    case invalidApiKey = "invalid-api-key"
    case invalidCredentials = "invalid-credentials"
    case invalidField = "invalid-field"
    case invalidInvitation = "invalid-invitation"
    case invalidParameter = "invalid-parameter"
    case invalidPassword = "invalid-password"
    case invalidRefreshToken = "invalid-refresh-token"
    case invalidResetToken = "invalid-reset-token"
    case invalidTotp = "invalid-totp"
    case invitationRequired = "invitation-required"
    case jobState = "job-state"
    case lastAdmin = "last-admin"
    case mediaWorkerFailed = "media-worker-failed"
    case mediaWorkerMissing = "media-worker-missing"
    case methodNotAllowed = "method-not-allowed"
    case missingUploadLength = "missing-upload-length"
    case missingUploadOffset = "missing-upload-offset"
    case noAccount = "no-account"
    case noApiSpec = "no-api-spec"
    case noDecodableStream = "no-decodable-stream"
    case noSession = "no-session"
    case noTotpEnrolment = "no-totp-enrolment"
    case noWebTemplate = "no-web-template"
    case noWebTemplates = "no-web-templates"
    case notAPermutation = "not-a-permutation"
    case notFound = "not-found"
    case notMedia = "not-media"
    case notReady = "not-ready"
    case offsetMismatch = "offset-mismatch"
    case oidcCodeInvalid = "oidc-code-invalid"
    case oidcNoAccount = "oidc-no-account"
    case oidcProviderError = "oidc-provider-error"
    case oidcProviderUnavailable = "oidc-provider-unavailable"
    case oidcProviderUnknown = "oidc-provider-unknown"
    case oidcRedirectInvalid = "oidc-redirect-invalid"
    case oidcStateInvalid = "oidc-state-invalid"
    case oidcTokenExchangeFailed = "oidc-token-exchange-failed"
    case oidcTokenInvalid = "oidc-token-invalid"
    case payloadTooLarge = "payload-too-large"
    case playlistFull = "playlist-full"
    case rangeNotSatisfiable = "range-not-satisfiable"
    case rateLimited = "rate-limited"
    case signupClosed = "signup-closed"
    case stillImage = "still-image"
    case storageFailed = "storage-failed"
    case storageUnavailable = "storage-unavailable"
    case tokenExpired = "token-expired"
    case tooLarge = "too-large"
    case tooLong = "too-long"
    case tooManyAttempts = "too-many-attempts"
    case tooManyFields = "too-many-fields"
    case tooManyStreams = "too-many-streams"
    case totpEnabled = "totp-enabled"
    case totpNotEnabled = "totp-not-enabled"
    case totpRequired = "totp-required"
    case truncated = "truncated"
    case tusVersion = "tus-version"
    case unauthorized = "unauthorized"
    case unknownField = "unknown-field"
    case unreadable = "unreadable"
    case unsupportedChecksum = "unsupported-checksum"
    case unsupportedMediaType = "unsupported-media-type"
    case uploadBusy = "upload-busy"
    case uploadExpired = "upload-expired"
    case uploadRefused = "upload-refused"
    case uploadStorage = "upload-storage"
    case usernameTaken = "username-taken"
    case writeFailed = "write-failed"
    case wrongPassword = "wrong-password"

    /// The usual answer to this type; an error may override it (``DomainError/refusal``).
    public var refusal: Refusal {
        switch self {
        case .accountDisabled, .accountRestricted, .badCallbackSignature, .commentsDisabled, .csrfFailed, .forbidden, .insufficientScope, .invalidInvitation, .invalidPassword, .invitationRequired, .oidcNoAccount,
            .signupClosed, .wrongPassword:
            .forbidden
        case .accountGone, .bootstrapRetired, .invalidApiKey, .invalidCredentials, .invalidRefreshToken, .invalidResetToken, .invalidTotp,
            .oidcProviderError, .oidcTokenInvalid, .tokenExpired, .totpRequired, .unauthorized:
            .unauthenticated
        case .alreadyInPlaylist, .alreadyReported, .categoryExists, .channelNotEmpty, .handleTaken, .jobState, .lastAdmin, .noTotpEnrolment, .offsetMismatch,
            .playlistFull, .totpEnabled, .totpNotEnabled, .usernameTaken:
            .conflict
        case .badApiSpec, .badWebTemplate, .internalError, .mediaWorkerFailed, .noWebTemplate, .uploadStorage, .writeFailed: .internalError
        case .badCaptions, .badImage, .empty, .handleReserved, .invalidField, .noDecodableStream, .notAPermutation, .notMedia, .stillImage, .tooLarge,
            .tooLong, .tooManyStreams, .truncated, .unknownField, .unreadable, .uploadRefused:
            .unprocessable
        case .badChecksum, .badCursor, .badDefault, .badHeader, .badLabel, .badLanguage, .badMetadata, .badRequest, .badUnsubscribeToken, .badUpload,
            .badVisibility,
            .deferLengthUnsupported, .emptyUpload, .incompleteBody, .invalidParameter, .missingUploadLength, .missingUploadOffset, .oidcCodeInvalid,
            .oidcRedirectInvalid, .oidcStateInvalid, .unsupportedChecksum:
            .badRequest
        case .badContentType, .unsupportedMediaType: .unsupportedMediaType
        case .beyondUploadLength, .fieldTooLarge, .fieldsTooLarge, .payloadTooLarge, .tooManyFields: .tooLarge
        case .checksumMismatch: .checksumMismatch
        case .insufficientStorage: .insufficientStorage
        case .mediaWorkerMissing, .noApiSpec, .noWebTemplates, .notReady, .storageFailed, .storageUnavailable: .unavailable
        case .methodNotAllowed: .methodNotAllowed
        case .noAccount, .noSession, .notFound, .oidcProviderUnknown: .notFound
        case .deliveryFailed, .oidcProviderUnavailable, .oidcTokenExchangeFailed: .badGateway
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .rateLimited, .tooManyAttempts: .tooManyRequests
        case .tusVersion: .preconditionFailed
        case .uploadBusy: .locked
        case .uploadExpired: .gone
        }
    }

    /// A short, stable summary of the type (RFC 9457 `title`); the detail says what happened.
    public var title: String {
        switch self {
        case .accountDisabled: "Account disabled"
        case .accountGone: "Account deleted"
        case .accountRestricted: "Account suspended or banned"
        case .alreadyInPlaylist: "Already in the playlist"
        case .alreadyReported: "Already reported"
        case .badApiSpec: "API description unreadable"
        case .badCallbackSignature: "Callback signature refused"
        case .badCaptions: "Not a valid WebVTT file"
        case .badChecksum, .badHeader, .badMetadata, .deferLengthUnsupported, .incompleteBody, .missingUploadLength, .missingUploadOffset,
            .unsupportedChecksum:
            "Invalid tus request"
        case .badContentType: "Unsupported Content-Type"
        case .badCursor: "Invalid cursor"
        case .badDefault: "Invalid default flag"
        case .badImage: "Not a usable image"
        case .badLabel: "Invalid caption label"
        case .badLanguage: "Invalid language tag"
        case .badRequest: "Bad request"
        case .badUnsubscribeToken: "Invalid unsubscribe link"
        case .badUpload: "Malformed multipart upload"
        case .badVisibility: "Invalid visibility"
        case .badWebTemplate: "Web template unreadable"
        case .beyondUploadLength: "Beyond Upload-Length"
        case .bootstrapRetired: "Bootstrap token retired"
        case .categoryExists: "Category exists"
        case .channelNotEmpty: "Channel has videos"
        case .checksumMismatch: "Checksum mismatch"
        case .commentsDisabled: "Comments turned off"
        case .csrfFailed: "Cross-site request refused"
        case .empty, .noDecodableStream, .notMedia, .stillImage, .tooLarge, .tooLong, .tooManyStreams, .truncated, .unreadable: "Not a usable video"
        case .deliveryFailed: "The channel could not deliver"
        case .emptyUpload: "Empty upload"
        case .fieldTooLarge: "Form field too large"
        case .fieldsTooLarge: "Form fields too large"
        case .forbidden: "Not allowed"
        case .handleReserved: "Handle reserved"
        case .handleTaken: "Handle taken"
        case .insufficientScope: "Insufficient scope"
        case .insufficientStorage: "Not enough disk space"
        case .internalError: "Internal server error"
        case .invalidApiKey: "Invalid API key"
        case .invalidCredentials: "Invalid credentials"
        case .invalidField: "Invalid field"
        case .invalidInvitation: "Invalid invitation"
        case .invalidParameter: "Invalid parameter"
        case .invalidPassword, .wrongPassword: "Wrong password"
        case .invalidRefreshToken: "Invalid refresh token"
        case .invalidResetToken: "Invalid reset token"
        case .invalidTotp: "Invalid two-factor code"
        case .invitationRequired: "Invitation required"
        case .jobState: "Not possible in this state"
        case .lastAdmin: "Last admin"
        case .mediaWorkerFailed: "Media worker failed"
        case .mediaWorkerMissing: "Media worker missing"
        case .methodNotAllowed: "Method not allowed"
        case .noAccount: "No account"
        case .noApiSpec: "API description missing"
        case .noSession: "No session"
        case .noTotpEnrolment: "No enrolment"
        case .noWebTemplate: "Web template missing"
        case .noWebTemplates: "Web UI missing"
        case .notAPermutation: "Not the playlist's items"
        case .notFound: "Not found"
        case .notReady: "Not ready"
        case .offsetMismatch: "Upload-Offset mismatch"
        case .oidcCodeInvalid: "Invalid exchange code"
        case .oidcNoAccount: "No account for this identity"
        case .oidcProviderError: "The provider refused the sign-on"
        case .oidcProviderUnavailable: "Sign-on provider unavailable"
        case .oidcProviderUnknown: "Unknown sign-on provider"
        case .oidcRedirectInvalid: "Invalid redirect"
        case .oidcStateInvalid: "Invalid sign-on state"
        case .oidcTokenExchangeFailed: "Code exchange failed"
        case .oidcTokenInvalid: "Invalid ID token"
        case .payloadTooLarge: "Request body too large"
        case .playlistFull: "Playlist full"
        case .rangeNotSatisfiable: "Range not satisfiable"
        case .rateLimited: "Too many requests"
        case .signupClosed: "Sign-up is closed"
        case .storageFailed: "Media storage failed"
        case .storageUnavailable: "Media storage is not available"
        case .tokenExpired: "Access token expired"
        case .tooManyAttempts: "Too many attempts"
        case .tooManyFields: "Too many form fields"
        case .totpEnabled: "Two-factor already enabled"
        case .totpNotEnabled: "Two-factor not enabled"
        case .totpRequired: "Two-factor code required"
        case .tusVersion: "Unsupported tus version"
        case .unauthorized: "Authentication required"
        case .unknownField: "Unknown field"
        case .unsupportedMediaType: "Unsupported media type"
        case .uploadBusy: "Upload busy"
        case .uploadExpired: "Upload expired"
        case .uploadRefused: "The upload did not become a video"
        case .uploadStorage: "Cannot store the upload"
        case .usernameTaken: "Username taken"
        case .writeFailed: "Could not keep the image"
        }
    }
}
