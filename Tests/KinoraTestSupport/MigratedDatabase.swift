import KinoraStore

extension TestEnvironment {
    /// A fresh SQLite file with every migration applied, in a new temporary folder that the
    /// caller removes (`defer { try? FileManager.default.removeItem(atPath: folder) }`).
    ///
    /// ```swift
    /// let (database, folder) = try TestEnvironment.migratedDatabase("users")
    /// ```
    public static func migratedDatabase(_ label: String) throws -> (database: KinoraDatabase, folder: String) {
        let folder = try makeTemporaryDirectory(label)
        let database = try KinoraDatabase(path: folder + "/kinora.sqlite")
        try database.migrate()
        return (database, folder)
    }
}
