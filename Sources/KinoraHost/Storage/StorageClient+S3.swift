import KinoraPluginABI

/// The S3 plugin's own interface `org.kinora.storage-s3.cors/1` (not part of the ABI):
/// one function that applies the bucket CORS rules a browser needs for redirected segments.
struct S3CORSTable {
    var apply: (@convention(c) (UnsafePointer<kn_plugin_t>?, UnsafePointer<CChar>?, UnsafeMutablePointer<kn_error_t>?) -> kn_status_t)?
}

extension StorageClient {
    public static let s3CORSInterface = "org.kinora.storage-s3.cors/1"

    /// Applies GET/HEAD CORS rules for `origins` ("*" for any) to the instance's bucket.
    /// Throws `.unsupported` for an instance that is not an S3 one. Blocks on the network.
    public func applyBucketCORS(origins: [String]) throws {
        guard let table = instance.interface(Self.s3CORSInterface, as: S3CORSTable.self), let apply = table.pointee.apply else {
            throw PluginCallError(
                status: .unsupported, message: "instance \(name) (\(instance.pluginID)) has no bucket CORS rules to set", instance: name)
        }
        var err = kn_error_t()
        let status = origins.joined(separator: "\n").withCString { apply(instance.raw, $0, &err) }
        guard status == KN_OK else { throw PluginCallError(status, &err, instance: name) }
    }
}
