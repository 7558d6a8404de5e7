import Foundation
import KinoraConfiguration
import KinoraTestSupport
import Testing

@Suite struct ScaleOutConfigTests {
    func load(_ text: String) throws -> (KinoraConfig, String) {
        let dir = try TestEnvironment.makeTemporaryDirectory("scale-config")
        let path = dir + "/kinora.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (try KinoraConfig.load(path), dir)
    }

    @Test func withoutADatabaseTableTheDaemonStaysOnSQLiteWithBothRoles() throws {
        let (config, _) = try load("[log]\nlevel = \"info\"\n")
        #expect(!config.database.isPostgres)
        #expect(config.node.servesAPI && config.node.runsJobs)
    }

    @Test func databaseAndNodeKeysParse() throws {
        let (config, dir) = try load(
            """
            [database]
            url = "postgres://kinora@db.internal:5432/kinora"
            password_file = "secrets/db"
            pool_size = 4
            statement_timeout_seconds = 2.5
            tls = "verify-full"
            ca_file = "/etc/kinora/ca.pem"
            [node]
            roles = ["worker"]
            """)
        #expect(config.database.isPostgres)
        #expect(config.database.url == "postgres://kinora@db.internal:5432/kinora")
        #expect(config.database.poolSize == 4 && config.database.statementTimeoutSeconds == 2.5)
        #expect(config.database.tls == "verify-full" && config.database.caFile == "/etc/kinora/ca.pem")
        #expect(config.node.runsJobs && !config.node.servesAPI)
        _ = dir
    }

    @Test func badDatabaseAndNodeValuesNameTheKey() throws {
        for (text, key) in [
            ("[database]\nurl = \"mysql://x/y\"\n", "database.url"),
            ("[database]\npool_size = 0\n", "database.pool_size"),
            ("[database]\ntls = \"sometimes\"\n", "database.tls"),
            ("[node]\nroles = []\n", "node.roles"),
            ("[node]\nroles = [\"api\", \"transcoder\"]\n", "node.roles"),
        ] {
            let errors = #expect(throws: ConfigErrors.self) { try load(text) }
            #expect(errors?.description.contains(key) == true, "\(text) → \(errors?.description ?? "no error")")
        }
    }

    @Test func thePasswordComesFromItsFileThenTheEnvironmentAndErrorsNameTheFile() throws {
        let dir = try TestEnvironment.makeTemporaryDirectory("db-password")
        var settings = DatabaseConfig()
        settings.url = "postgres://kinora@localhost/kinora"
        #expect(try settings.password(configFile: "k.toml", environment: [:]) == nil)
        #expect(try settings.password(configFile: "k.toml", environment: [DatabaseConfig.passwordVariable: "from-env"]) == "from-env")
        try "s3cret pass\nignored\n".write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        settings.passwordFile = dir + "/pw"
        #expect(try settings.password(configFile: "k.toml", environment: [DatabaseConfig.passwordVariable: "from-env"]) == "s3cret pass")
        settings.passwordFile = dir + "/missing"
        let error = #expect(throws: ConfigError.self) { try settings.password(configFile: "k.toml", environment: [:]) }
        #expect(error?.description == "k.toml: database.password_file: cannot read \(dir)/missing")
    }

    @Test func aPasswordInTheURLIsNeverShown() {
        var settings = DatabaseConfig()
        settings.url = "postgres://kinora:hunter2@db:5432/kinora?sslmode=require"
        #expect(settings.redactedURL == "postgres://kinora:***@db:5432/kinora?sslmode=require")
        settings.url = "postgres://kinora@db/kinora"
        #expect(settings.redactedURL == "postgres://kinora@db/kinora")
    }
}
