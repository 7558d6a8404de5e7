import KinoraPluginABI

extension PluginInstance {
    /// The instance's own `kn_plugin_t`, for code that drives its C tables directly: the
    /// conformance suites (`kinora plugin conformance`, `kinora plugin classify`). Calls made
    /// through it bypass the call pool, serialisation and metrics, so the daemon's own code
    /// uses the typed clients instead.
    ///
    /// ```swift
    /// let plugin = PluginUnderTest(instance.rawPlugin)
    /// ```
    public var rawPlugin: UnsafePointer<kn_plugin_t> { raw }
}
