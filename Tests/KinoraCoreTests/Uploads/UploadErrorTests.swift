import KinoraCore
import Testing

/// The tus refusals keep the answers clients rely on: the status class, the members and the
/// Retry-After they read.
@Suite struct UploadErrorTests {
    @Test func aBusyUploadIsLockedAndSaysWhenToRetry() {
        #expect(UploadError.busy.problemType == .uploadBusy)
        #expect(UploadError.busy.refusal == .locked)
        #expect(UploadError.busy.retryAfter == 2)
        #expect(UploadError.notFound(id: "x").retryAfter == nil)
    }

    @Test func anOffsetMismatchNamesTheOffsetToResumeAt() {
        let refusal = UploadError.offsetMismatch(expected: 41)
        #expect(refusal.refusal == .conflict)
        #expect(refusal.extra == ["offset": "41"])
        #expect(refusal.detail == "the upload holds 41 bytes; send Upload-Offset: 41")
    }

    @Test func aChecksumMismatchHasTusOwnRefusal() {
        let refusal = UploadError.checksumMismatch(algorithm: "sha1", bytes: 12)
        #expect(refusal.refusal == .checksumMismatch && refusal.problemType == .checksumMismatch)
    }

    @Test func aRefusedUploadKeepsTheStatusOfItsRefusal() {
        #expect(UploadError.refused(reason: "Not a usable video.", status: 415).extra == ["status": "415"])
        let unknown = UploadError.refused(reason: nil, status: nil)
        #expect(unknown.extra == ["status": "422"] && unknown.detail == "the file was refused")
        #expect(unknown.refusal == .unprocessable)
    }

    @Test func theDiskFillingUpIsInsufficientStorage() {
        let full = UploadError.diskFull(title: "Cannot store the upload", detail: "syncing failed")
        #expect(full.refusal == .insufficientStorage && full.title == "Cannot store the upload")
        #expect(UploadError.storageFailed("open failed").refusal == .internalError)
    }
}
