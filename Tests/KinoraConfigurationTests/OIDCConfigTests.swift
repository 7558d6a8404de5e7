import Foundation
import KinoraConfiguration
import KinoraHost
import KinoraTestSupport
import Testing

/// `[oidc.NAME]` tables of kinora.toml.
@Suite struct OIDCConfigTests {
    func load(_ text: String, secretFile: String? = nil) throws -> (KinoraConfig?, ConfigErrors?, String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("oidc-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: dir + "/kinora.toml", atomically: true, encoding: .utf8)
        if let secretFile { try secretFile.write(toFile: dir + "/corp.secret", atomically: true, encoding: .utf8) }
        do {
            return (try KinoraConfig.load(dir + "/kinora.toml"), nil, dir)
        } catch {
            return (nil, error, dir)
        }
    }

    @Test func providersReadWithDefaultsAndSecretFiles() throws {
        let (config, errors, _) = try load(
            """
            [oidc.corp]
            issuer = "https://login.example.com/realms/corp/"
            client_id = "kinora"
            client_secret_file = "corp.secret"
            [oidc.dev]
            issuer = "http://127.0.0.1:9400"
            client_id = "kinora-dev"
            client_secret = "s3cret-value"
            scopes = ["openid", "email"]
            display_name = "Dev login"
            link_by_email = false
            create_accounts = false
            role = "creator"
            token_auth_method = "client_secret_post"
            """, secretFile: "from-a-file\n")
        #expect(errors == nil, "\(errors?.description ?? "")")
        let providers = try #require(config?.oidcProviders)
        #expect(providers.map(\.name) == ["corp", "dev"])
        let corp = providers[0], dev = providers[1]
        #expect(corp.issuer == "https://login.example.com/realms/corp" && corp.clientSecret == "from-a-file")
        #expect(corp.scopes == ["openid", "email", "profile"] && corp.displayName == "corp" && corp.role == "viewer")
        #expect(corp.linkByEmail && corp.createAccounts && corp.tokenAuthMethod == nil)
        #expect(dev.clientSecret == "s3cret-value" && dev.scopes == ["openid", "email"] && dev.displayName == "Dev login")
        #expect(!dev.linkByEmail && !dev.createAccounts && dev.role == "creator" && dev.tokenAuthMethod == .clientSecretPost)
        #expect(!"\(dev)".contains("s3cret-value") && "\(dev)".contains("<redacted>"), "a logged config never shows the secret")
        #expect(KinoraConfig().oidcProviders.isEmpty)
    }

    @Test func badProvidersAreErrorsNamingTheKey() throws {
        let (_, errors, dir) = try load(
            """
            [oidc.corp]
            issuer = "http://login.example.com"
            client_id = "kinora"
            client_secret = "a"
            client_secret_file = "b"
            scopes = ["email"]
            colour = "red"
            role = "owner"
            [oidc.missing]
            issuer = "https://login.example.com"
            [oidc.nofile]
            issuer = "https://login.example.com"
            client_id = "kinora"
            client_secret_file = "/nonexistent/secret"
            ["oidc"."Bad Name"]
            issuer = "https://login.example.com"
            client_id = "kinora"
            """)
        let found = try #require(errors).errors
        let keys = Set(found.map { $0.key ?? "" })
        #expect(keys.isSuperset(of: ["oidc.corp.colour", "oidc.corp.role", "oidc.missing.client_id"]), "\(found)")
        #expect(found.allSatisfy { $0.file == dir + "/kinora.toml" })

        // Once the schema holds, the checks it cannot express.
        let (_, second, _) = try load(
            """
            [oidc.corp]
            issuer = "http://login.example.com"
            client_id = "kinora"
            client_secret = "a"
            client_secret_file = "b"
            scopes = ["email"]
            [oidc.nofile]
            issuer = "https://login.example.com"
            client_id = "kinora"
            client_secret_file = "/nonexistent/secret"
            ["oidc"."Bad Name"]
            issuer = "https://login.example.com"
            client_id = "kinora"
            """)
        let messages = try #require(second).errors.map(\.description)
        #expect(messages.contains { $0.contains("oidc.corp.issuer: must be https") }, "\(messages)")
        #expect(messages.contains { $0.contains("oidc.corp: give client_secret or client_secret_file, not both") })
        #expect(messages.contains { $0.contains("oidc.corp.scopes: must contain \"openid\"") })
        #expect(messages.contains { $0.contains("oidc.nofile.client_secret_file: /nonexistent/secret cannot be read") })
        #expect(messages.contains { $0.contains("oidc.Bad Name: provider names are") })
    }
}
