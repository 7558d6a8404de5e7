/// Who interacted with what, as dense indices: the one input every model fits on. Implicit
/// feedback: every interaction is a positive whatever its rating (a watch, a like, a
/// subscription's video), and a repeated pair counts once. An interaction may carry a
/// strength in (0, 1] (a watch's completion ratio, a rating over the best rating), which the
/// models that can use it weigh it by; 1 when nothing says otherwise.
///
/// ```swift
/// let data = Interactions(pairs: [("alice", "v1"), ("alice", "v2"), ("bob", "v2")])
/// data.items(ofUser: data.userIndex["alice"]!)  // the indices of v1 and v2, ascending
/// ```
public struct Interactions: Sendable {
    /// Dense index → external id.
    public let userIDs: [String]
    public let itemIDs: [String]
    /// External id → dense index.
    public let userIndex: [String: Int]
    public let itemIndex: [String: Int]
    /// Per user, the items seen, ascending and unique.
    public let userItems: [[Int32]]
    /// Per item, the users who saw it, ascending and unique.
    public let itemUsers: [[Int32]]
    /// Strengths other than 1, by `user << 32 | item`.
    let strengths: [Int64: Float]

    public var userCount: Int { userIDs.count }
    public var itemCount: Int { itemIDs.count }
    public var pairCount: Int { userItems.reduce(0) { $0 + $1.count } }

    /// Indices follow first appearance. `itemUniverse` adds items nobody interacted with yet
    /// (they can still be recommended by content or popularity; collaborative models give
    /// them nothing).
    public init(pairs: some Sequence<(user: String, item: String)>, itemUniverse: [String] = []) {
        self.init(weighted: pairs.lazy.map { ($0.user, $0.item, 1.0) }, itemUniverse: itemUniverse)
    }

    /// Interactions with strengths (clamped to (0, 1]; a repeated pair keeps its strongest).
    public init(weighted: some Sequence<(user: String, item: String, strength: Double)>, itemUniverse: [String] = []) {
        var userIndex: [String: Int] = [:]
        var itemIndex: [String: Int] = [:]
        var userIDs: [String] = []
        var itemIDs: [String] = []
        var sets: [Set<Int32>] = []
        var strengths: [Int64: Float] = [:]
        for (user, item, strength) in weighted {
            let u = userIndex[user] ?? {
                userIndex[user] = userIDs.count
                userIDs.append(user)
                sets.append([])
                return userIDs.count - 1
            }()
            let i = itemIndex[item] ?? {
                itemIndex[item] = itemIDs.count
                itemIDs.append(item)
                return itemIDs.count - 1
            }()
            let key = Int64(u) << 32 | Int64(i)
            let clamped = Float(strength.isFinite ? min(1, max(0.01, strength)) : 1)
            let (inserted, _) = sets[u].insert(Int32(i))
            let stronger = inserted ? clamped : max(clamped, strengths[key] ?? 1)
            strengths[key] = stronger == 1 ? nil : stronger
        }
        for item in itemUniverse where itemIndex[item] == nil {
            itemIndex[item] = itemIDs.count
            itemIDs.append(item)
        }
        self.init(
            userIDs: userIDs, itemIDs: itemIDs, userIndex: userIndex, itemIndex: itemIndex, userItems: sets.map { $0.sorted() },
            strengths: strengths)
    }

    /// Whether any interaction has a strength other than 1.
    public var hasStrengths: Bool { !strengths.isEmpty }

    /// The strengths of `items` (indices) for `user`, in the same order.
    public func strengths(ofUser user: Int, _ items: [Int32]) -> [Double] {
        guard !strengths.isEmpty else { return [Double](repeating: 1, count: items.count) }
        return items.map { Double(strengths[Int64(user) << 32 | Int64($0)] ?? 1) }
    }

    /// The strengths of the user's own items, aligned with ``userItems``.
    public func strengths(ofUser user: Int) -> [Double] { strengths(ofUser: user, userItems[user]) }

    /// The same users and items with other interactions (a split keeps indices aligned, so a
    /// model fitted on one part scores the items of another).
    public func replacing(userItems: [[Int32]]) -> Interactions {
        precondition(userItems.count == userCount, "one list per user")
        return Interactions(
            userIDs: userIDs, itemIDs: itemIDs, userIndex: userIndex, itemIndex: itemIndex, userItems: userItems.map { Array(Set($0)).sorted() },
            strengths: strengths)
    }

    private init(
        userIDs: [String], itemIDs: [String], userIndex: [String: Int], itemIndex: [String: Int], userItems: [[Int32]], strengths: [Int64: Float]
    ) {
        self.strengths = strengths
        self.userIDs = userIDs
        self.itemIDs = itemIDs
        self.userIndex = userIndex
        self.itemIndex = itemIndex
        self.userItems = userItems
        var itemUsers = [[Int32]](repeating: [], count: itemIDs.count)
        for (u, items) in userItems.enumerated() {
            for i in items { itemUsers[Int(i)].append(Int32(u)) }
        }
        self.itemUsers = itemUsers
    }

    public func items(ofUser user: Int) -> [Int32] { userItems[user] }
}
