import KinoraServer
import Testing

/// Where the server lets a browser go after signing in: paths of this site only.
@Suite struct SafeRedirectTests {
    /// The attack probe's payloads and their relatives, as they reach the server.
    static let offsite = [
        "/\\evil.com", "/%09/evil.com", "/%0A/evil.com", "//evil.com", "/%2F/evil.com", "/%2F%2Fevil.com", "/%252F%252Fevil.com",
        "%2F%5Cevil.com", "%252F%255Cevil.com", "/%5Cevil.com", "/%255Cevil.com", "https://evil.com", "http:/evil.com",
        "javascript:alert(1)", "evil.com", "", "/a#b", "/\r\nSet-Cookie: x=1", "/ /evil.com",
        // The login page follows its own ?next=, so a target that carries one is held to the same rules.
        "/login?next=%2F%5Cevil.com", "/login?next=%252F%255Cevil.com", "/login?next=%2F%2Fevil.com", "/login?next=https://evil.com",
        "/login?next=%2F%09%2Fevil.com", "/login?redirect=//evil.com", "/login?return_to=javascript:alert(1)",
        "/%",
    ]

    static let own = [
        "/", "/settings", "/videos?sort=new", "/login?next=%2Fsettings", "/watch/abc?t=30", "/search?q=caf%C3%A9%20au%20lait", "/login?next=",
    ]

    @Test func onlyPathsOfThisSitePass() {
        for target in Self.offsite {
            #expect(SafeRedirect.path(target) == nil, "\(target) was accepted")
            #expect(SafeRedirect.path(target, publicURL: "https://video.example.org") == nil, "\(target) was accepted with a public URL")
        }
        for target in Self.own {
            #expect(SafeRedirect.path(target) == target, "\(target) was refused")
            #expect(SafeRedirect.path(target, publicURL: "https://video.example.org:8443/") == target, "\(target) was refused with a public URL")
        }
    }

    @Test func loginLinksCarryOnlySafeDestinations() {
        #expect(SafeRedirect.loginLocation(next: "/studio/videos/abc") == "/login?next=/studio/videos/abc")
        #expect(SafeRedirect.loginLocation(next: "/feed?x=1") == "/login?next=/feed%3Fx%3D1")
        #expect(SafeRedirect.loginLocation(next: "/\\evil.com") == "/login")
        #expect(SafeRedirect.loginLocation(next: "//evil.com") == "/login")
    }
}
