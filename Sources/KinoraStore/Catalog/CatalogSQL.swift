/// SQL fragments the catalog's repositories share, and the few places where SQLite and
/// PostgreSQL spell the same thing differently: each repository asks here, never its callers.
enum CatalogSQL {
    /// `?, ?, ?` for an `IN (…)` list of `count` values (at least one).
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: max(1, count)).joined(separator: ", ")
    }

    /// `expression` as a sort key that ignores case. SQLite's NOCASE folds ASCII letters only;
    /// PostgreSQL's `lower` folds every letter and matches the `lower(…)` indexes its schema has.
    static func caseless(_ expression: String, _ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: "\(expression) COLLATE NOCASE"
        case .postgres: "lower(\(expression))"
        }
    }

    /// The values of `expression` in a group joined by `separator` (a literal), in no set order.
    static func joined(_ expression: String, separator: String, _ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: "group_concat(\(expression), '\(separator)')"
        case .postgres: "string_agg(\(expression), '\(separator)')"
        }
    }
}
