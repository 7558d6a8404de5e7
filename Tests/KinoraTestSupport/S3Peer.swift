import Foundation
import KinoraConfiguration
import KinoraHost

/// The S3 peer of the storage-s3 tests: Ceph radosgw on 127.0.0.1:7480 (memstore, 4 GiB),
/// started from `Tests/Fixtures/s3/ceph-s3-up.sh`. It verifies SigV4 and presigned URLs like
/// AWS does. Its ports are fixed, so one suite owns it: start once, stop at the end.
public enum S3Peer {
    public static let endpoint = "http://127.0.0.1:7480"
    public static let accessKeyID = "TESTAK0000000000"
    public static let secretAccessKey = "testsecret0000000000"
    public static let bucket = "kinora-test"
    public static var directory: String { NSTemporaryDirectory() + "kinora-s3-peer" }
    public static var fixtures: String { TestEnvironment.repositoryRoot + "/Tests/Fixtures/s3" }
    public static var module: String { TestEnvironment.buildDirectory + "/libkinora-storage-s3.so" }

    /// Starts a fresh peer (stopping one left by a killed run first); throws with its output.
    /// Runs the script through system(3) with its output in a file: the Ceph daemons it
    /// leaves running must not be children that Foundation's Process waits on.
    public static func start() throws {
        let log = NSTemporaryDirectory() + "kinora-s3-peer.log"
        let status = system("/bin/sh '\(fixtures)/ceph-s3-up.sh' '\(directory)' >'\(log)' 2>&1 </dev/null")
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0, output.contains("S3 ready") else {
            throw TestFailure("the S3 peer (radosgw) did not start (status \(status)); install radosgw ceph-mon ceph-osd (.ci/setup):\n\(output)")
        }
    }

    public static func stop() {
        _ = system("/bin/sh '\(fixtures)/ceph-s3-down.sh' '\(directory)' >/dev/null 2>&1 </dev/null")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Settings of an instance in `bucket` under `prefix`; `extra` overrides.
    public static func settings(prefix: String, bucket: String = bucket, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = [
            "endpoint": .string(endpoint), "bucket": .string(bucket), "prefix": .string(prefix),
            "access_key_id": .string(accessKeyID), "secret_access_key": .string(secretAccessKey),
            "create_bucket": .bool(true), "part_size": .integer(5 * 1024 * 1024),
        ]
        object.merge(extra) { $1 }
        return .object(object)
    }

    /// A registry with storage-s3 loaded and one started instance (or the reason it failed).
    public static func storage(
        prefix: String, name: String = "s3", bucket: String = bucket,
        extra: [String: JSONValue] = [:]
    ) throws -> (PluginRegistry, StorageClient?) {
        let registry = PluginRegistry(environment: HostEnvironment(logger: TestEnvironment.quietLogger(), version: "test"), workerThreads: 8)
        try registry.loadModule(at: module)
        let errors = registry.createInstances([
            InstanceConfig(
                name: name, pluginID: "org.kinora.storage-s3",
                settings: settings(prefix: prefix, bucket: bucket, extra: extra))
        ])
        guard errors.isEmpty else { throw TestFailure("storage-s3 refused its settings: \(errors)") }
        registry.startAll()
        return (registry, registry.storage(named: name))
    }

    /// The TOML of a `plugins.d/<instance>.toml` for this peer.
    public static func instanceTOML(prefix: String, bucket: String = bucket, extra: String = "") -> String {
        """
        plugin = "org.kinora.storage-s3"
        [settings]
        endpoint = "\(endpoint)"
        bucket = "\(bucket)"
        prefix = "\(prefix)"
        access_key_id = "\(accessKeyID)"
        secret_access_key = "\(secretAccessKey)"
        create_bucket = true
        part_size = 5242880
        \(extra)

        """
    }

    /// Runs the AWS CLI against the peer (`aws s3api …`), credentials in its environment.
    public static func aws(_ arguments: [String]) throws -> (status: Int32, output: String) {
        var env = ProcessInfo.processInfo.environment
        env["AWS_ACCESS_KEY_ID"] = accessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = secretAccessKey
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        return try TestEnvironment.run(awsExecutable, ["--endpoint-url", endpoint] + arguments, environment: env)
    }

    public static var awsExecutable: String {
        if let explicit = ProcessInfo.processInfo.environment["KINORA_AWS_CLI"] { return explicit }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for folder in path + ["/root/.pyenv/shims"] {
            let candidate = folder + "/aws"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "aws"
    }

    /// An HTTP request with curl: status, headers (lower-cased names) and body bytes.
    public static func curl(
        _ url: String, method: String = "GET", headers: [String: String] = [:]
    ) throws -> (status: Int, headers: [String: String], body: String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("curl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var args = ["-s", "-o", dir + "/body", "-D", dir + "/headers", "-X", method, url]
        for (name, value) in headers { args += ["-H", "\(name): \(value)"] }
        let result = try TestEnvironment.run("/usr/bin/curl", args)
        guard result.status == 0 else { throw TestFailure("curl \(url): \(result.output)") }
        let headerText = (try? String(contentsOfFile: dir + "/headers", encoding: .utf8)) ?? ""
        var status = 0
        var fields: [String: String] = [:]
        for line in headerText.split(separator: "\r\n") {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ")[1]) ?? 0
                fields = [:]
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/body"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (status, fields, body)
    }
}
