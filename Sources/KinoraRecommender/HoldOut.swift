/// Each user's interactions cut at random into parts by ratio, the way recommender papers and
/// RecBole's `RS` split do it: per user, shuffled with a seed, the later parts get
/// `floor(ratio × count)` each and the first part the rest (so a user with few interactions
/// keeps them for training).
public enum HoldOut {
    /// Parts in the order of `ratios` (for example `[0.8, 0.1, 0.1]`: train, validation, test),
    /// each with the same users and items as `data`.
    public static func split(_ data: Interactions, ratios: [Double], seed: UInt64) -> [Interactions] {
        precondition(ratios.count >= 2 && ratios.allSatisfy { $0 >= 0 }, "at least two non-negative ratios")
        let total = ratios.reduce(0, +)
        var random = SeededRandom(seed: seed)
        var parts = [[[Int32]]](repeating: [[Int32]](repeating: [], count: data.userCount), count: ratios.count)
        for user in 0..<data.userCount {
            var items = data.userItems[user]
            items.shuffle(using: &random)
            var counts = ratios.map { Int(($0 / total) * Double(items.count)) }
            counts[0] = items.count - counts.dropFirst().reduce(0, +)
            var start = 0
            for (part, count) in counts.enumerated() {
                parts[part][user] = Array(items[start..<start + count])
                start += count
            }
        }
        return parts.map { data.replacing(userItems: $0) }
    }
}
