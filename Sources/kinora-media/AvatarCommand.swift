import Foundation
import KinoraMedia

/// `kinora-media avatar INPUT OUTDIR`: square JPEG avatars (OUTDIR/256.jpg, OUTDIR/64.jpg)
/// from the first picture of INPUT. Prints {"ok":true,"width":…,"height":…} or
/// {"ok":false,"code":"bad-image","message":…}; exits 0 either way.
enum AvatarCommand {
    static let usage = "avatar INPUT OUTDIR"

    static func run(_ arguments: [String]) -> Never {
        guard arguments.count == 2 else { kinora_media.usage() }
        do {
            let size = try AvatarMaker.make(path: arguments[0], folder: arguments[1])
            reply(WorkerReply.success(AvatarReport(width: size.width, height: size.height, sizes: AvatarMaker.sizes)))
        } catch {
            reply(WorkerReply<AvatarReport>.refusal(WorkerRefusal(code: error.code, message: error.description)))
        }
    }
}
