/// The order to fill tables in so that every foreign key finds its parent row already there:
/// parents before children, computed from the schema's foreign keys (not a hand-kept list, which
/// a migration adding a table would leave stale). Ties go alphabetically, so the order, and the
/// progress an operator reads, is the same on every run.
enum TableOrder {
    /// - Parameters:
    ///   - tables: Every table to fill.
    ///   - references: (child, parent) pairs, one per foreign key; a table referring to itself
    ///     is left out (its rows go in one table's copy, in source order).
    /// - Returns: `tables`, parents first.
    /// - Throws: ``PostgresCopyError/schema(_:)`` naming the tables of a cycle, which no
    ///   order satisfies.
    static func parentsFirst(_ tables: [String], references: [(child: String, parent: String)]) throws -> [String] {
        let known = Set(tables)
        var parents: [String: Set<String>] = [:]
        for (child, parent) in references where child != parent && known.contains(child) && known.contains(parent) {
            parents[child, default: []].insert(parent)
        }
        var ordered: [String] = []
        var placed: Set<String> = []
        var remaining = tables.sorted()
        while !remaining.isEmpty {
            let ready = remaining.filter { parents[$0, default: []].isSubset(of: placed) }
            guard !ready.isEmpty else {
                throw PostgresCopyError.schema("the foreign keys of \(remaining.joined(separator: ", ")) form a cycle; no copy order satisfies them")
            }
            ordered += ready
            placed.formUnion(ready)
            remaining.removeAll { placed.contains($0) }
        }
        return ordered
    }
}
