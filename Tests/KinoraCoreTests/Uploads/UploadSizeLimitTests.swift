import KinoraCore
import Testing

/// The one decision on upload sizes, as tus creation, a multipart request's announced length
/// and a multipart file's streamed bytes meet it.
@Suite struct UploadSizeLimitTests {
    let limits = UploadLimits(maxBytes: 1000)

    @Test func aDeclaredLengthMustBeOneByteToTheLimit() throws {
        try limits.checkDeclared(length: 1)
        try limits.checkDeclared(length: 1000)
        #expect(throws: UploadError.tooLarge(limit: 1000)) { try limits.checkDeclared(length: 1001) }
        #expect(throws: UploadError.empty(title: "Empty upload", detail: "Upload-Length must be at least 1")) {
            try limits.checkDeclared(length: 0)
        }
    }

    @Test func aMultipartRequestMayCarryItsEnvelopeBesidesTheFile() throws {
        try limits.checkRequest(length: nil)
        try limits.checkRequest(length: 1000 + UploadLimits.multipartEnvelopeBytes)
        #expect(throws: UploadError.tooLarge(limit: 1000)) {
            try limits.checkRequest(length: 1001 + UploadLimits.multipartEnvelopeBytes)
        }
    }

    @Test func aStreamedFileIsRefusedAtTheFirstBytePastTheLimit() throws {
        try limits.checkReceived(1000)
        #expect(throws: UploadError.tooLarge(limit: 1000)) { try limits.checkReceived(1001) }
    }

    @Test func theRefusalNamesTheLimitAndItsSetting() {
        let refusal = UploadError.tooLarge(limit: 1000)
        #expect(refusal.problemType == .payloadTooLarge && refusal.refusal == .tooLarge)
        #expect(refusal.title == "Upload too large")
        #expect(refusal.detail == "uploads are limited to 1000 bytes ([uploads] max_bytes)")
    }
}
