/// What the copy does, read from both schemas rather than written down: the target's tables
/// (parents first), each one's columns with their PostgreSQL kinds and their SQLite
/// counterparts, and the identity columns whose sequences must move past the copied ids.
struct CopyPlan {
    struct Table {
        let name: String
        /// The columns written: every target column but generated ones (PostgreSQL computes
        /// the search table's `document` itself).
        let columns: [CopyColumn]
        /// The target's primary key, to name a row in an error.
        let key: [String]
        /// Identity (or serial) columns, whose sequence is reset after the copy.
        let identity: [String]
        /// Whether a column is `GENERATED ALWAYS AS IDENTITY` (the insert then overrides it).
        let overridesIdentity: Bool
        /// SQLite tables are read in rowid order, a page at a time; a `WITHOUT ROWID` table
        /// (none today) by its primary key.
        let sourceOrder: String?
    }

    /// Tables the copy never touches: each engine's migration bookkeeping, and the copy's own
    /// marker of an unfinished run.
    static let targetBookkeeping: Set<String> = ["kinora_migrations", PostgresCopy.markerTable]

    let tables: [Table]

    /// The target's tables, kept as they are (bookkeeping left out).
    static func targetTables(_ db: any SQLConnection) throws -> [String] {
        try db.fetchAll(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).compactMap { $0["table_name"] as String? }.filter { !targetBookkeeping.contains($0) }
    }

    /// The source's tables: SQLite's own (`sqlite_*`), GRDB's migration list and the shadow
    /// tables an FTS5 table keeps its index in are not data.
    static func sourceTables(_ db: any SQLConnection) throws -> [(name: String, sql: String)] {
        let all = try db.fetchAll("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").map {
            (name: $0["name"] ?? "", sql: $0["sql"] ?? "")
        }
        let shadows = Set(
            all.filter { isVirtual($0.sql) }.flatMap { table in ["data", "idx", "content", "docsize", "config"].map { "\(table.name)_\($0)" } })
        return all.filter { !$0.name.hasPrefix("sqlite_") && $0.name != "grdb_migrations" && !shadows.contains($0.name) }
    }

    static func isVirtual(_ sql: String) -> Bool {
        sql.uppercased().hasPrefix("CREATE VIRTUAL TABLE")
    }

    init(source: any SQLConnection, target: any SQLConnection) throws {
        let targetNames = try Self.targetTables(target)
        let sourceTables = try Self.sourceTables(source)
        let sourceSQL = Dictionary(sourceTables.map { ($0.name, $0.sql) }, uniquingKeysWith: { first, _ in first })
        let missing = targetNames.filter { sourceSQL[$0] == nil }
        let extra = sourceTables.map(\.name).filter { !targetNames.contains($0) }
        guard missing.isEmpty && extra.isEmpty else {
            throw PostgresCopyError.schema(
                (missing.isEmpty ? [] : ["PostgreSQL has \(missing.joined(separator: ", ")), SQLite does not"])
                    .joined(separator: "; ")
                    + (extra.isEmpty ? "" : (missing.isEmpty ? "" : "; ") + "SQLite has \(extra.joined(separator: ", ")), PostgreSQL does not"))
        }
        let columns = try target.fetchAll(
            """
            SELECT table_name, column_name, data_type, udt_name, is_generated, is_identity, identity_generation, column_default
            FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
            """)
        let keys = try target.fetchAll(
            """
            SELECT c.relname AS table_name, a.attname AS column_name
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
            WHERE i.indisprimary AND n.nspname = current_schema() ORDER BY a.attnum
            """)
        let references = try target.fetchAll(
            """
            SELECT child.relname AS child, parent.relname AS parent
            FROM pg_constraint k JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace
            WHERE k.contype = 'f' AND n.nspname = current_schema()
            """
        ).map { (child: $0["child"] ?? "", parent: $0["parent"] ?? "") }
        var tables: [Table] = []
        for name in try TableOrder.parentsFirst(targetNames, references: references) {
            let rows = columns.filter { $0["table_name"] == name }
            let key = keys.filter { $0["table_name"] == name }.compactMap { $0["column_name"] as String? }
            tables.append(try Self.table(name, rows, key: key, sourceSQL: sourceSQL[name] ?? "", source: source))
        }
        self.tables = tables
    }

    private static func table(_ name: String, _ rows: [SQLRow], key: [String], sourceSQL: String, source: any SQLConnection) throws -> Table {
        let sourceInfo = try source.fetchAll("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", [name])
        let sourceColumns = sourceInfo.compactMap { $0["name"] as String? }
        let virtual = isVirtual(sourceSQL)
        var copied: [CopyColumn] = []
        var identity: [String] = []
        var overrides = false
        for row in rows {
            let column: String = row["column_name"] ?? ""
            if row["is_generated"] == "ALWAYS" { continue }
            let dataType: String = row["data_type"] ?? ""
            guard let kind = CopyColumn.kind(dataType: dataType, udtName: row["udt_name"] ?? "") else {
                throw PostgresCopyError.schema("column \(name).\(column) is of type \(dataType), which the copy does not convert")
            }
            var expression = quoted(column)
            if !sourceColumns.contains(column) {
                // An FTS5 table keeps the row's key as its rowid, where PostgreSQL has a column.
                guard virtual && key == [column] && kind == .integer else {
                    throw PostgresCopyError.schema("SQLite's \(name) has no column \(column)")
                }
                expression = "rowid"
            }
            copied.append(CopyColumn(name: column, kind: kind, sourceExpression: expression))
            if row["is_identity"] == "YES" {
                identity.append(column)
                if row["identity_generation"] == "ALWAYS" { overrides = true }
            } else if (row["column_default"] as String?)?.hasPrefix("nextval(") == true {
                identity.append(column)
            }
        }
        let lost = sourceColumns.filter { column in !copied.contains { $0.name == column } }
        guard lost.isEmpty else {
            throw PostgresCopyError.schema("SQLite's \(name) has \(lost.joined(separator: ", ")), which PostgreSQL's has not (or only as a generated column)")
        }
        var order: String?
        if sourceSQL.uppercased().contains("WITHOUT ROWID") {
            let sourceKey = sourceInfo.filter { ($0["pk"] as Int? ?? 0) > 0 }.sorted { ($0["pk"] as Int? ?? 0) < ($1["pk"] as Int? ?? 0) }
            order = sourceKey.compactMap { $0["name"] as String? }.map(quoted).joined(separator: ", ")
        }
        return Table(name: name, columns: copied, key: key, identity: identity, overridesIdentity: overrides, sourceOrder: order)
    }

    /// An identifier in double quotes, for both engines.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
