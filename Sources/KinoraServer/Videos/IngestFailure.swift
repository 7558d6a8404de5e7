import Foundation
import Hummingbird
import KinoraHost

/// Errors of an upload's ingest or a video's transcode in the two forms people meet them: a
/// problem+json answer with the right status (a full disk is 507, not 500), and one sentence
/// stored as a job's or an upload's failure reason and shown to administrators, never a Swift
/// debug dump of the error value.
enum IngestFailure {
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// `error` as the answer to the request that hit it.
    static func problem(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let plugin as PluginCallError where plugin.status == .noSpace:
            return Problem(insufficientStorage, type: "insufficient-storage", title: "Not enough disk space", detail: reason(plugin))
        case let plugin as PluginCallError:
            return Problem(.serviceUnavailable, type: "storage-failed", title: "Media storage failed", detail: reason(plugin))
        case _ where isDiskFull(error):
            return Problem(insufficientStorage, type: "insufficient-storage", title: "Not enough disk space", detail: reason(error))
        default:
            return Problem(.internalServerError, type: "internal", title: "Internal server error", detail: reason(error))
        }
    }

    /// One sentence an administrator can act on.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let problem as Problem:
            return problem.readableReason
        case let failure as TranscodeFailure:
            return sentence(failure.description)
        case let plugin as PluginCallError:
            return sentence("storage \"\(plugin.instance)\" failed (\(plugin.status)): \(plugin.message)")
        case is CancellationError:
            return "The work was cancelled."
        case let error as CocoaError:
            let path = (error.userInfo[NSFilePathErrorKey] as? String).map { " (\($0))" } ?? ""
            return sentence(posixText(error).map { "a file operation failed: \($0)\(path)" } ?? error.localizedDescription)
        case let error as POSIXError:
            return sentence("a file operation failed: \(String(cString: strerror(error.code.rawValue)))")
        default:
            // The rest (database errors and the like) describe themselves in words.
            return sentence(String(describing: error))
        }
    }

    /// An ENOSPC or EDQUOT from a file operation, however Foundation wrapped it.
    static func isDiskFull(_ error: any Error) -> Bool {
        if let plugin = error as? PluginCallError { return plugin.status == .noSpace }
        let code = posixCode(error)
        return code == ENOSPC || code == EDQUOT
    }

    private static func posixCode(_ error: any Error) -> Int32? {
        if let posix = error as? POSIXError { return posix.code.rawValue }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain { return Int32(underlying.code) }
        if ns.domain == NSCocoaErrorDomain, ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return ENOSPC }
        return nil
    }

    private static func posixText(_ error: any Error) -> String? {
        posixCode(error).map { String(cString: strerror($0)) }
    }

    /// Capitalised and ending with a full stop.
    static func sentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first else { return "An unknown error occurred." }
        let capitalised = first.uppercased() + trimmed.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}

extension Problem {
    /// "Title: detail." — what the problem says, for a person reading a log or a console.
    var readableReason: String {
        IngestFailure.sentence(detail.map { "\(title): \($0)" } ?? title)
    }
}
