import Foundation

/// Validation of MPDs against the official MPEG-DASH schema. The schema is neither in Debian
/// nor on PyPI and is not ours to ship, so it runs where `KINORA_DASH_SCHEMA` names a local copy
/// (`.ci/run` sets it when one lies beside the repository). Without it, one line says which check
/// did not run; every other check of an MPD (structure through XPath, playback through
/// ffprobe and ffmpeg) runs either way.
public enum DASHSchema {
    /// The schema file, when one is configured.
    public static var path: String? {
        guard let path = ProcessInfo.processInfo.environment["KINORA_DASH_SCHEMA"], !path.isEmpty else { return nil }
        return path
    }

    /// `xmllint --schema` on `mpdFile`: its status and output, or nil when no schema is configured.
    /// A configured path that does not exist fails: someone asked for the check.
    public static func validate(file mpdFile: String) throws -> (status: Int32, output: String)? {
        guard let schema = path else {
            _ = skippedNote
            return nil
        }
        guard FileManager.default.fileExists(atPath: schema) else {
            throw TestFailure("KINORA_DASH_SCHEMA names \(schema), which does not exist")
        }
        return try TestEnvironment.run("/usr/bin/xmllint", ["--noout", "--nonet", "--schema", schema, mpdFile])
    }

    /// Printed once per test process.
    private static let skippedNote: Void = {
        print("note: MPDs were not validated against the MPEG-DASH schema (set KINORA_DASH_SCHEMA to a local DASH-MPD.xsd); all other MPD checks ran")
    }()
}
