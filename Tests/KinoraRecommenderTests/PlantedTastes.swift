import KinoraRecommender

/// Interactions with a taste planted in them: the first half of the users watch only the first
/// half of the items, the others only the second half, `perUser` each at random, and every
/// user also watched item 0 or the first item of the second half (the popular ones). A model
/// that learns anything must keep each user inside their half.
enum PlantedTastes {
    static func pairs(users: Int = 80, items: Int = 60, perUser: Int = 12, seed: UInt64 = 3) -> [(user: String, item: String)] {
        var random = SeededRandom(seed: seed)
        var pairs: [(user: String, item: String)] = []
        for user in 0..<users {
            let half = user < users / 2 ? 0..<(items / 2) : (items / 2)..<items
            var chosen = Set([half.lowerBound])
            while chosen.count < perUser { chosen.insert(Int.random(in: half, using: &random)) }
            for item in chosen.sorted() { pairs.append(("u\(user)", "i\(item)")) }
        }
        return pairs
    }

    /// Whether `item` (an id `iN`) is in the half `user` (an id `uN`) watches.
    static func sameHalf(user: String, item: String, users: Int = 80, items: Int = 60) -> Bool {
        let u = Int(user.dropFirst())!
        let i = Int(item.dropFirst())!
        return (u < users / 2) == (i < items / 2)
    }
}
