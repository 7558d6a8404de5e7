// swift-tools-version:6.0
import PackageDescription

// The Kinora plugin SDK: the C ABI (plugin.h), the C kit, the Swift kit and the conformance
// suites. It depends on nothing, so a plugin that depends on it resolves no other package.
// The daemon depends on it by path; the kinora-plugin-dev package installs it as source.
let package = Package(
    name: "KinoraPluginSDK",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KinoraPluginABI", targets: ["KinoraPluginABI"]),
        .library(name: "KinoraPluginCKit", targets: ["KinoraPluginCKit"]),
        .library(name: "KinoraPluginKit", targets: ["KinoraPluginKit"]),
    ],
    targets: [
        // The C ABI: c/abi/include/kinora/plugin.h is the contract every plugin compiles against.
        .target(name: "KinoraPluginABI", path: "c/abi"),

        // Helpers for plugins written in C (UTF-8, messages, logs, a small JSON parser), linked
        // into each of them; every symbol stays hidden.
        .target(
            name: "KinoraPluginCKit",
            dependencies: ["KinoraPluginABI"],
            path: "c/kit",
            exclude: ["README.md"],
            publicHeadersPath: ".",
            cSettings: [.unsafeFlags(["-fvisibility=hidden", "-std=c11", "-Wall", "-Wextra"])]
        ),

        // Swift helpers so a Swift plugin implements a protocol and never touches pointers.
        .target(name: "KinoraPluginKit", dependencies: ["KinoraPluginABI"], path: "swift/KinoraPluginKit"),
    ]
)
