import Foundation
import KinoraHost

/// Errors of an upload's ingest or a video's transcode in the two forms people meet them: a
/// domain error with the right refusal (a full disk is insufficient storage, not an internal
/// error), and one sentence stored as a job's or an upload's failure reason and shown to
/// administrators, never a Swift debug dump of the error value.
public enum IngestFailure {
    /// `error` as what the request that hit it is told.
    public static func domainError(_ error: any Error) -> any DomainError {
        switch error {
        case let domain as any DomainError:
            return domain
        case let plugin as PluginCallError where plugin.status == .noSpace:
            return Refused(.insufficientStorage, reason(plugin))
        case let plugin as PluginCallError:
            return Refused(.storageFailed, reason(plugin))
        case _ where isDiskFull(error):
            return Refused(.insufficientStorage, reason(error))
        default:
            return Refused(.internalError, reason(error))
        }
    }

    /// One sentence an administrator can act on.
    public static func reason(_ error: any Error) -> String {
        switch error {
        case let domain as any DomainError:
            return readableReason(domain)
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

    /// "Title: detail." — what a refusal says, for a person reading a log or a console.
    public static func readableReason(title: String, detail: String?) -> String {
        sentence(detail.map { "\(title): \($0)" } ?? title)
    }

    static func readableReason(_ error: any DomainError) -> String {
        readableReason(title: error.title, detail: error.detail)
    }

    /// An ENOSPC or EDQUOT from a file operation, however Foundation wrapped it.
    public static func isDiskFull(_ error: any Error) -> Bool {
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
    public static func sentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first else { return "An unknown error occurred." }
        let capitalised = first.uppercased() + trimmed.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}
