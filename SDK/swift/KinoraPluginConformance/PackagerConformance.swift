import KinoraPluginABI

/// One manifest file as a `kinora.packager/1` completion reported it.
public struct PackagedFile: Sendable, Hashable {
    public var name: String
    public var mediaType: String
    public var data: [UInt8]
}

/// A packager's whole answer: its files and the entry players start from.
public struct PackagedManifests: Sendable, Hashable {
    public var files: [PackagedFile]
    public var entry: String
}

/// The behaviour every `kinora.packager/1` instance must show: the sample presentation of
/// `kinora/plugin.h` becomes a consistent, deterministic manifest set, unknown keys change
/// nothing, and malformed input is refused with KN_E_INVALID_ARGUMENT and a message.
///
/// ```swift
/// let manifests = try PackagerConformance.package(plugin, PackagerConformance.samplePresentation)
/// print(manifests.entry, manifests.files.map(\.name))
/// ```
public enum PackagerConformance {
    /// The presentation the header shows, as the daemon sends it for a video with one English
    /// 5.1 stream (a stereo and a 5.1 rendition) and one caption.
    public static let samplePresentation = #"""
        {"video_id":"f3a9c0d2e4b6a8c0d2e4",
         "renditions":[
          {"id":"720p","type":"video","codecs":"avc1.64001f","bandwidth":2800000,"average_bandwidth":2400000,
           "width":1280,"height":720,"frame_rate":30.0,"passthrough":true,"timescale":90000,"init":"720p/init.mp4",
           "segments":[{"uri":"720p/seg-00001.m4s","start":0,"duration":360000,"size":1234567,"iframe":{"offset":0,"size":45678}}]},
          {"id":"audio","type":"audio","codecs":"mp4a.40.2","bandwidth":130000,"average_bandwidth":128000,
           "channels":2,"sample_rate":48000,"language":"en","name":"English","default":true,"group":"aac-2ch","source_track":0,
           "timescale":48000,"init":"audio/init.mp4",
           "segments":[{"uri":"audio/seg-00001.m4s","start":0,"duration":192000,"size":64000,"iframe":{"offset":0,"size":1200}}]},
          {"id":"audio-en-6ch","type":"audio","codecs":"mp4a.40.2","bandwidth":390000,"average_bandwidth":384000,
           "channels":6,"sample_rate":48000,"language":"en","name":"English (5.1)","default":true,"group":"aac-6ch","source_track":0,
           "timescale":48000,"init":"audio-en-6ch/init.mp4",
           "segments":[{"uri":"audio-en-6ch/seg-00001.m4s","start":0,"duration":192000,"size":192000}]}],
         "text_tracks":[{"id":"text-en","language":"en","label":"English","default":false,"uri":"captions/en.vtt","duration":61.2,"size":2048}],
         "protection":[]}
        """#

    /// The sample with unknown members at every level, which a packager must ignore.
    static let sampleWithUnknownKeys = #"""
        {"video_id":"f3a9c0d2e4b6a8c0d2e4","x_future":{"nested":[1,2,{"deep":true}]},"x_number":1.5e3,
         "renditions":[
          {"id":"720p","type":"video","codecs":"avc1.64001f","bandwidth":2800000,"average_bandwidth":2400000,
           "width":1280,"height":720,"frame_rate":30.0,"passthrough":true,"timescale":90000,"init":"720p/init.mp4","x_hdr":"pq",
           "segments":[{"uri":"720p/seg-00001.m4s","start":0,"duration":360000,"size":1234567,"iframe":{"offset":0,"size":45678,"x":0},"x_key":null}]},
          {"id":"audio","type":"audio","codecs":"mp4a.40.2","bandwidth":130000,"average_bandwidth":128000,
           "channels":2,"sample_rate":48000,"language":"en","name":"English","default":true,"group":"aac-2ch","source_track":0,
           "timescale":48000,"init":"audio/init.mp4","x_loudness":-23,
           "segments":[{"uri":"audio/seg-00001.m4s","start":0,"duration":192000,"size":64000,"iframe":{"offset":0,"size":1200}}]},
          {"id":"audio-en-6ch","type":"audio","codecs":"mp4a.40.2","bandwidth":390000,"average_bandwidth":384000,
           "channels":6,"sample_rate":48000,"language":"en","name":"English (5.1)","default":true,"group":"aac-6ch","source_track":0,
           "timescale":48000,"init":"audio-en-6ch/init.mp4","x_layout":{"lfe":true},
           "segments":[{"uri":"audio-en-6ch/seg-00001.m4s","start":0,"duration":192000,"size":192000,"x_loud":null}]}],
         "text_tracks":[{"id":"text-en","language":"en","label":"English","default":false,"uri":"captions/en.vtt","duration":61.2,"size":2048,"x_forced":false}],
         "protection":[]}
        """#

    static func make(_ name: String, _ summary: String, _ body: @escaping @Sendable (PluginUnderTest) throws -> Void) -> ConformanceCase {
        ConformanceCase(interface: KN_PACKAGER_ID, name: name, summary: summary, body: body)
    }

    public static let cases: [ConformanceCase] = [
        make("sample", "the header's sample presentation yields a consistent manifest set", sample),
        make("deterministic", "the same presentation yields byte-identical manifests", deterministic),
        make("unknown-keys", "unknown keys at every level change nothing", unknownKeys),
        make("malformed", "malformed JSON is refused with invalid argument and a message", malformed),
    ]

    /// For instances that also offer `kinora.packager.growing/1`: a growing presentation gets
    /// the complete one's file names (so the complete manifests replace the growing ones) with
    /// contents that differ (a manifest that ignored `"complete": false` would end players early).
    public static let growingCases: [ConformanceCase] = [
        ConformanceCase(
            interface: KN_PACKAGER_GROWING_ID, name: "growing-names",
            summary: "a growing presentation's manifests have the complete one's names and entry", body: growingNames),
        ConformanceCase(
            interface: KN_PACKAGER_GROWING_ID, name: "growing-differs",
            summary: "a growing presentation's manifests are not the complete ones", body: growingDiffers),
    ]

    /// The sample presentation with `"complete": false`.
    public static var growingSamplePresentation: String {
        // The sample's closing brace, with one more member before it.
        guard let end = samplePresentation.lastIndex(of: "}") else { return samplePresentation }
        return samplePresentation[..<end] + #","complete":false}"#
    }

    /// Calls `package_growing` (`kinora.packager.growing/1`) once.
    public static func packageGrowing(_ plugin: PluginUnderTest, _ presentation: String) throws -> PackagedManifests {
        guard let table = plugin.table(KN_PACKAGER_GROWING_ID, as: kn_packager_growing_v1_t.self) else {
            throw ConformanceFailure("the instance returns no \(KN_PACKAGER_GROWING_ID) table")
        }
        guard let operation = table.pointee.package_growing else {
            throw ConformanceFailure("\(KN_PACKAGER_GROWING_ID): the table's package_growing is NULL")
        }
        return try manifests(plugin, what: "package_growing") { call, done, box in
            operation(plugin.raw, call, box.cString(presentation), done)
        }
    }

    static func growingNames(_ plugin: PluginUnderTest) throws {
        let complete = try package(plugin, samplePresentation)
        let growing = try packageGrowing(plugin, growingSamplePresentation)
        try expect(growing.entry == complete.entry, "the growing entry \"\(growing.entry)\" is not the complete one \"\(complete.entry)\"")
        let names = Set(growing.files.map(\.name)), completeNames = Set(complete.files.map(\.name))
        try expect(
            names == completeNames,
            "growing files \(names.sorted()) are not the complete files \(completeNames.sorted()): the complete ones would not replace them all")
        for file in growing.files { try expect(!file.data.isEmpty, "\(file.name) is empty") }
    }

    static func growingDiffers(_ plugin: PluginUnderTest) throws {
        let complete = try package(plugin, samplePresentation)
        let growing = try packageGrowing(plugin, growingSamplePresentation)
        try expect(growing.files != complete.files, "the growing manifests equal the complete ones: players would stop at the first segments")
    }

    /// Calls `package` once and copies the manifest set out of the completion.
    ///
    /// - Throws: ``PluginCallFailure`` when the plugin refused, ``ConformanceFailure`` when it
    ///   reported success without a set.
    public static func package(_ plugin: PluginUnderTest, _ presentation: String) throws -> PackagedManifests {
        guard let table = plugin.table(KN_PACKAGER_ID, as: kn_packager_v1_t.self) else {
            throw ConformanceFailure("the instance returns no \(KN_PACKAGER_ID) table")
        }
        guard let package = table.pointee.package else { throw ConformanceFailure("\(KN_PACKAGER_ID): the table's package is NULL") }
        return try manifests(plugin, what: "package") { call, done, box in
            package(plugin.raw, call, box.cString(presentation), done)
        }
    }

    /// Runs one manifest-producing call and copies the set out of its completion.
    static func manifests(
        _ plugin: PluginUnderTest, what: String,
        _ start: (UnsafePointer<kn_call_t>, kn_completion_t, CallBox) -> Void
    ) throws -> PackagedManifests {
        try PluginCallRunner.perform(
            plugin, what: what,
            decode: { p -> PackagedManifests in
                guard let set = p?.assumingMemoryBound(to: kn_manifest_set_t.self).pointee else {
                    throw ConformanceFailure("package reported success without a manifest set")
                }
                var files: [PackagedFile] = []
                for i in 0..<set.count {
                    let f = set.files[i]
                    let data = f.size == 0 ? [] : Array(UnsafeBufferPointer(start: f.data, count: f.size))
                    files.append(
                        PackagedFile(
                            name: f.name.map { String(cString: $0) } ?? "", mediaType: f.media_type.map { String(cString: $0) } ?? "", data: data))
                }
                return PackagedManifests(files: files, entry: set.entry.map { String(cString: $0) } ?? "")
            },
            start)
    }

    static func sample(_ plugin: PluginUnderTest) throws {
        let set = try package(plugin, samplePresentation)
        try expect(!set.files.isEmpty, "no manifest files")
        let names = set.files.map(\.name)
        try expect(Set(names).count == names.count, "a file name appears twice: \(names)")
        try expect(names.contains(set.entry), "the entry \"\(set.entry)\" is not one of the files \(names)")
        for file in set.files {
            try expect(isRelativeName(file.name), "file name \"\(file.name)\" is not a relative path without . or .. segments")
            try expect(!file.mediaType.isEmpty, "\(file.name) has no media type")
            try expect(!file.data.isEmpty, "\(file.name) is empty")
        }
    }

    static func isRelativeName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("/") && !name.utf8.contains(UInt8(ascii: "\\"))
            && name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    static func deterministic(_ plugin: PluginUnderTest) throws {
        let first = try package(plugin, samplePresentation)
        let second = try package(plugin, samplePresentation)
        try expect(first == second, "two calls with the same presentation gave different manifests")
    }

    static func unknownKeys(_ plugin: PluginUnderTest) throws {
        let plain = try package(plugin, samplePresentation)
        let extended = try package(plugin, sampleWithUnknownKeys)
        try expect(plain == extended, "unknown keys changed the manifests (files \(extended.files.map(\.name)))")
    }

    static func malformed(_ plugin: PluginUnderTest) throws {
        for (what, text) in [("truncated JSON", #"{"renditions":[{"id":"720p""#), ("not an object", "[1,2,3]"), ("not JSON", "manifest please")] {
            do {
                _ = try package(plugin, text)
                throw ConformanceFailure("\(what): expected invalid argument, but it succeeded")
            } catch let error as PluginCallFailure {
                try expect(error.status == KN_E_INVALID_ARGUMENT, "\(what): expected invalid argument, got \(error)")
                try expect(!error.message.isEmpty, "\(what): refused without a message")
            }
        }
    }
}
