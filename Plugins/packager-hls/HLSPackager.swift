import KinoraPluginKit

/// `org.kinora.packager-hls`: HLS playlists (fMP4/CMAF segments) over the host's segment index.
public final class HLSPackager: GrowingPackagerPlugin {
    public typealias Settings = NoSettings

    public static let descriptor = PluginDescriptor(
        id: "org.kinora.packager-hls",
        name: "HLS packager",
        vendor: "Kinora",
        version: "1.0.0",
        description: "Writes HLS master, media, I-frame and subtitle playlists for CMAF segments, following Apple's HLS authoring specification.",
        url: "https://kinora.invalid/doc/plugins/packager-hls",
        configSchema: #"{"type":"object","additionalProperties":false,"properties":{}}"#
    )

    public init(settings: NoSettings, host: PluginHost) throws {}

    public func package(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String) {
        try call.checkCancellation()
        let parsed = try Presentation.parse(presentation)
        return (try HLSWriter(parsed).files(), HLSWriter.master)
    }

    /// The same playlists as EVENT ones without an end while the first pass grows.
    public func packageGrowing(presentation: String, call: PluginCall) throws -> (files: [ManifestFile], entry: String) {
        try package(presentation: presentation, call: call)
    }
}

@_cdecl("kinora_module_entry_v1")
public func kinoraModuleEntry() -> UnsafeRawPointer {
    PluginModule.entry(HLSPackager.self)
}
