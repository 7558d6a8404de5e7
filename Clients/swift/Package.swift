// swift-tools-version:6.0
import PackageDescription

// The Kinora client SDK for apps (iOS, tvOS, macOS, watchOS, visionOS) and Linux: the API's
// types and client generated from share/openapi.yaml by swift-openapi-generator, committed, so
// building it never runs the generator (`./regenerate` does, by hand). A package of its own:
// an app that adds it resolves three small packages, never the daemon's.
//
// The transport is URLSession (swift-openapi-urlsession): it ships with every Apple system and
// with Foundation on Linux (FoundationNetworking), so it brings no networking stack. The
// AsyncHTTPClient transport would pull SwiftNIO, its TLS and HTTP/2 packages into every app.
let package = Package(
    name: "KinoraClient",
    platforms: [.macOS(.v12), .iOS(.v15), .tvOS(.v15), .watchOS(.v8), .visionOS(.v1)],
    products: [
        .library(name: "KinoraClient", targets: ["KinoraClient"]),
        .executable(name: "kinora-client", targets: ["kinora-client"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Generated/ is the generator's output; the rest are hand-written conveniences on top
        // (sign-in with a bearer token, problem+json errors, tus uploads with progress).
        .target(
            name: "KinoraClient",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The example command-line client: login, upload with progress, list, play-url.
        .executableTarget(
            name: "kinora-client",
            dependencies: ["KinoraClient", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")]
        ),
        .testTarget(
            name: "KinoraClientTests",
            dependencies: [
                "KinoraClient",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
)
