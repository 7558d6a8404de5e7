import KinoraPluginKit

/// `org.kinora.packager-dash`: a static MPEG-DASH manifest over the host's CMAF segments.
public final class DASHPackager: PackagerPlugin {
    public typealias Settings = NoSettings

    public static let descriptor = PluginDescriptor(
        id: "org.kinora.packager-dash",
        name: "DASH packager",
        vendor: "Kinora",
        version: "1.0.0",
        description:
            "Writes a static MPEG-DASH MPD (isoff-live, SegmentTemplate/SegmentTimeline) for CMAF segments, following the DASH-IF interoperability points.",
        url: "https://kinora.invalid/doc/plugins/packager-dash",
        configSchema: #"{"type":"object","additionalProperties":false,"properties":{}}"#
    )

    public init(settings: NoSettings, host: PluginHost) throws {}

    public func package(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String) {
        try call.checkCancellation()
        let parsed = try Presentation.parse(presentation)
        let mpd = try DASHWriter(parsed).manifest()
        return ([ManifestFile(name: DASHWriter.entry, mediaType: DASHWriter.mediaType, text: mpd)], DASHWriter.entry)
    }
}

@_cdecl("kinora_module_entry_v1")
public func kinoraModuleEntry() -> UnsafeRawPointer {
    PluginModule.entry(DASHPackager.self)
}
