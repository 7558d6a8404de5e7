// swift-tools-version:6.0
// SPDX-License-Identifier: Apache-2.0 (see LICENSE at the root of the Kinora sources). Plugins
// built with this SDK may be distributed under any license.
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
        .library(name: "KinoraJSON", targets: ["KinoraJSON"]),
        .library(name: "KinoraPluginConformance", targets: ["KinoraPluginConformance"]),
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

        // JSON values and a strict parser in the standard library alone: the one JSON reader of
        // the kit, the conformance suites and the daemon's configuration.
        .target(name: "KinoraJSON", path: "swift/KinoraJSON"),

        // Swift helpers so a Swift plugin implements a protocol and never touches pointers.
        // Foundation-free, so a static-stdlib plugin stays small.
        .target(name: "KinoraPluginKit", dependencies: ["KinoraPluginABI", "KinoraJSON"], path: "swift/KinoraPluginKit"),

        // The conformance suites (storage, packager, moderation, notify) over any plugin's raw C
        // tables, and a small host for a plugin's own tests. The ABI and JSON only: it must not
        // pull the kit into a test of a plugin written in another language.
        .target(name: "KinoraPluginConformance", dependencies: ["KinoraPluginABI", "KinoraJSON"], path: "swift/KinoraPluginConformance"),

        // The kit's own logic, and channels written with it run through the conformance suites.
        .testTarget(
            name: "KinoraPluginKitTests", dependencies: ["KinoraPluginKit", "KinoraPluginConformance", "KinoraPluginABI"],
            path: "swift/Tests/KinoraPluginKitTests"),
    ]
)
