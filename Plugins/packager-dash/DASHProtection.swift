import KinoraPluginKit

/// The ContentProtection elements of every encrypted Adaptation Set: one
/// `urn:mpeg:dash:mp4protection:2011` descriptor with the scheme and cenc:default_KID, then
/// one per DRM system (`urn:uuid:<system_id>`) with its cenc:pssh and licence URL.
struct DASHProtection {
    static let dashifNamespace = "https://dashif.org/CPS"
    static let schemes: Set<String> = ["cenc", "cbcs", "cens", "cbc1"]

    let scheme: String
    let defaultKID: String
    let systems: [Protection]

    var needsDashifNamespace: Bool { systems.contains { $0.licenseURL != nil } }

    /// nil when the presentation is not encrypted.
    init?(_ entries: [Protection]) throws {
        guard let first = entries.first else { return nil }
        // The segments are encrypted once, with one scheme, and every protocol describes them.
        for (i, e) in entries.enumerated() where e.scheme != first.scheme {
            throw PluginError(
                .invalidArgument,
                "presentation.protection[\(i)].scheme: \"\(e.scheme)\" differs from protection[0]'s \"\(first.scheme)\"; the segments carry one scheme"
            )
        }
        guard Self.schemes.contains(first.scheme) else {
            throw PluginError(
                .unsupported, "presentation.protection[0].scheme: \"\(first.scheme)\" is not a Common Encryption scheme (cenc, cbcs, cens, cbc1)")
        }
        guard let kidIndex = entries.firstIndex(where: { $0.kid != nil }), let kid = entries[kidIndex].kid.flatMap(Check.uuid) else {
            throw PluginError(.invalidArgument, "presentation.protection[0].kid: required for DASH (cenc:default_KID)")
        }
        for (i, e) in entries.enumerated() {
            if let other = e.kid, Check.uuid(other) != kid {
                throw PluginError(
                    .invalidArgument, "presentation.protection[\(i)].kid: differs from protection[\(kidIndex)].kid; one key id per presentation")
            }
        }
        scheme = first.scheme
        defaultKID = kid
        systems = entries.filter { $0.systemID != nil }
    }

    func write(_ x: inout XMLWriter) {
        x.empty(
            "ContentProtection",
            [
                ("schemeIdUri", "urn:mpeg:dash:mp4protection:2011"), ("value", scheme), ("cenc:default_KID", defaultKID),
            ])
        for system in systems {
            guard let id = system.systemID.flatMap(Check.uuid) else { continue }
            let attributes: [XMLWriter.Attribute] = [("schemeIdUri", "urn:uuid:\(id)"), ("cenc:default_KID", defaultKID)]
            if system.pssh == nil && system.licenseURL == nil {
                x.empty("ContentProtection", attributes)
                continue
            }
            x.open("ContentProtection", attributes)
            if let url = system.licenseURL { x.element("dashif:Laurl", text: url) }
            if let pssh = system.pssh { x.element("cenc:pssh", text: pssh) }
            x.close("ContentProtection")
        }
    }
}
