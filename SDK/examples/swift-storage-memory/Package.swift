// swift-tools-version:6.0
import PackageDescription

// An in-memory `kinora.storage/1` plugin: the example of a third-party Swift plugin. It
// depends on the Kinora plugin SDK alone (here by path; from the kinora-plugin-dev package,
// /usr/share/kinora/sdk), so building it resolves no other package.
let sdk = "\(Context.packageDirectory)/../.."

let package = Package(
    name: "swift-storage-memory",
    products: [
        // The plugin: one shared object exporting only kinora_module_entry_v1.
        .library(name: "StorageMemory", type: .dynamic, targets: ["StorageMemory"])
    ],
    dependencies: [.package(name: "KinoraPluginSDK", path: "../..")],
    targets: [
        .target(
            name: "StorageMemory",
            dependencies: [.product(name: "KinoraPluginKit", package: "KinoraPluginSDK")],
            // The SDK's version script hides every symbol but the entry point, so two plugins
            // (or the host) never bind to each other's copies of the kit or the runtime.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(sdk)/c/kinora-plugin.map", "-Xlinker", "-z", "-Xlinker", "defs"])]
        ),
        // The tests load the BUILT .so with dlopen, as the daemon does, and run the SDK's
        // storage conformance suite on it; they do not link the plugin.
        .testTarget(
            name: "StorageMemoryTests",
            dependencies: [
                .product(name: "KinoraPluginConformance", package: "KinoraPluginSDK"),
                .product(name: "KinoraPluginABI", package: "KinoraPluginSDK"),
            ]
        ),
    ]
)
