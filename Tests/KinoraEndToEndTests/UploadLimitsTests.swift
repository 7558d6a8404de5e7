import Foundation
import KinoraTestSupport
import Testing

/// What a creator's upload may cost the daemon: memory for text fields, and disk. Attacks a
/// live probe found: thousands of form fields held in memory, and a pre-check that counted the
/// file once when ingest writes it twice.
@Suite(.serialized) struct UploadLimitsTests {
    /// The daemon's peak resident memory so far (VmHWM) in KiB, from /proc: the peak, since
    /// memory a request held and freed may already be back with the system when it ends.
    static func peakResidentKiB(_ daemon: DaemonProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else {
            throw TestFailure("no VmHWM in /proc/\(daemon.process.processIdentifier)/status")
        }
        return kib
    }

    static func problemType(_ result: HTTPResult) -> String? {
        ((result.json as? [String: Any])?["type"] as? String)?.replacingOccurrences(of: "https://kinora.invalid/problems/", with: "")
    }

    func post(_ daemon: DaemonProcess, _ form: MultipartBody) throws -> HTTPResult {
        try daemon.request(
            "POST", "/api/v1/videos", headers: ["Authorization": "Bearer \(daemon.adminToken)", "Content-Type": form.contentType],
            body: form.finished())
    }

    @Test func formsOfThousandsOfFieldsAreRefusedAndMemoryStaysFlat() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("form-limits")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemon = try DaemonProcess(dataDir: dir + "/data")
        try await daemon.start()
        // One ordinary refused upload first, so the baseline has the request path warmed up.
        var warm = MultipartBody()
        warm.field("title", "warm-up")
        #expect(try post(daemon, warm).status == 400)
        let before = try Self.peakResidentKiB(daemon)

        // 5,000 tiny fields: refused at the 65th, before the rest is read.
        var tiny = MultipartBody()
        for index in 0..<5000 { tiny.field("f\(index)", "x") }
        let many = try post(daemon, tiny)
        #expect(many.status == 413 && Self.problemType(many) == "too-many-fields", "\(many.status) \(many.body)")

        // 1,000 fields of 60 KB each (60 MB, each under the per-field limit): refused once
        // 256 KiB of them arrived. Before the limit the daemon held all of them.
        var large = MultipartBody()
        let value = String(repeating: "v", count: 60_000)
        for index in 0..<1000 { large.field("g\(index)", value) }
        let big = try post(daemon, large)
        #expect(big.status == 413 && Self.problemType(big) == "fields-too-large", "\(big.status) \(big.body)")

        let grown = try Self.peakResidentKiB(daemon) - before
        #expect(grown < 20 << 10, "the daemon's peak RSS grew by \(grown) KiB")
        // Ordinary forms still work within the limits.
        var ordinary = MultipartBody()
        ordinary.field("title", "Fine")
        ordinary.field("description", String(repeating: "d", count: 1000))
        let refused = try post(daemon, ordinary)
        #expect(refused.status == 400 && Self.problemType(refused) == "empty-upload", "\(refused.body)")
        #expect(try await daemon.stop() == 0)
    }

    /// Ingest writes an upload twice on the data disk (the received file, then the original's
    /// copy in media storage): the free-space check must ask for both. A reserve that leaves
    /// room for one copy of an upload (up to 4 GiB) but not two makes the check decide, whatever the
    /// disk's size (the bytes are never sent).
    @Test func theFreeSpaceCheckCountsBothCopiesAnIngestWrites() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("disk-check")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        var st = statvfs()
        try #require(statvfs(dir, &st) == 0)
        let free = Int64(st.f_bavail) * Int64(st.f_frsize)
        // Up to 4 GiB (below the upload size limit), at most half the free space so the reserve
        // below stays positive on a small disk.
        let length: Int64 = min(4 << 30, free / 2)
        try #require(free > 64 << 20, "this test needs 64 MiB free at \(dir); \(free >> 20) MiB are")
        // Half an upload of slack either way: other work on the disk may move it by less.
        let reserve = free - length * 3 / 2
        try "[uploads]\nmin_free_bytes = \(reserve)\n".write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--config", dir + "/kinora.toml"])
        try await daemon.start()
        let created = try daemon.request(
            "POST", "/api/v1/uploads",
            headers: [
                "Tus-Resumable": "1.0.0", "Authorization": "Bearer \(daemon.adminToken)", "Upload-Length": String(length),
            ])
        #expect(created.status == 507 && Self.problemType(created) == "insufficient-storage", "\(created.status) \(created.body)")
        // Half the size fits twice: accepted.
        let half = try daemon.request(
            "POST", "/api/v1/uploads",
            headers: [
                "Tus-Resumable": "1.0.0", "Authorization": "Bearer \(daemon.adminToken)", "Upload-Length": String(length / 4),
            ])
        #expect(half.status == 201, "\(half.status) \(half.body)")
        #expect(try await daemon.stop() == 0)
    }

    /// A disk that fills up while the original or an avatar is stored answers 507
    /// problem+json, not 500. The media storage sits on a 64 KiB tmpfs (CI runs as root; the
    /// test fails, never skips, where mounting is not allowed).
    @Test func aDiskThatFillsUpDuringIngestAnswers507() async throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("disk-full")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = try VideoUploadTests.makeClip(dir + "/clip.mp4", seconds: 4)
        try #require(clip.count > 96 << 10, "the clip (\(clip.count) bytes) must not fit the tmpfs")
        let media = dir + "/data/media"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        let mounted = try TestEnvironment.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", media])
        try #require(mounted.status == 0, "mounting a tmpfs needs root: \(mounted.output)")
        defer { _ = try? TestEnvironment.run("/usr/bin/umount", ["-l", media]) }
        let daemon = try DaemonProcess(dataDir: dir + "/data", arguments: ["--share-dir", WebUITests.share])
        try await daemon.start()

        var form = MultipartBody()
        form.file("file", filename: "clip.mp4", data: clip)
        let upload = try post(daemon, form)
        #expect(upload.status == 507 && Self.problemType(upload) == "insufficient-storage", "\(upload.status) \(upload.body)")
        #expect(upload.headers["content-type"] == "application/problem+json")

        // The rest of the tmpfs filled: an avatar cannot be stored either.
        let filler = try TestEnvironment.run("/usr/bin/dd", ["if=/dev/zero", "of=\(media)/filler", "bs=4k"])
        #expect(filler.output.contains("No space left"), "\(filler.output)")
        let token = try StudioTests.token(daemon, "erin", role: "creator")
        let picture = try AvatarAndDeletionTests.picture(dir + "/face.png", width: 320, height: 240)
        let avatar = try AvatarAndDeletionTests.put(daemon, token, type: "image/png", picture)
        #expect(avatar.status == 507 && Self.problemType(avatar) == "insufficient-storage", "\(avatar.status) \(avatar.body)")
        #expect(try await daemon.stop() == 0)
    }
}
