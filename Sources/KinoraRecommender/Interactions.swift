/// Who interacted with what, as dense indices: the one input every model fits on. Implicit
/// feedback: an interaction is a 1 whatever its rating (a watch, a like, a subscription's
/// video), and a repeated pair counts once.
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

    public var userCount: Int { userIDs.count }
    public var itemCount: Int { itemIDs.count }
    public var pairCount: Int { userItems.reduce(0) { $0 + $1.count } }

    /// Indices follow first appearance. `itemUniverse` adds items nobody interacted with yet
    /// (they can still be recommended by content or popularity; collaborative models give
    /// them nothing).
    public init(pairs: some Sequence<(user: String, item: String)>, itemUniverse: [String] = []) {
        var userIndex: [String: Int] = [:]
        var itemIndex: [String: Int] = [:]
        var userIDs: [String] = []
        var itemIDs: [String] = []
        var sets: [Set<Int32>] = []
        for (user, item) in pairs {
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
            sets[u].insert(Int32(i))
        }
        for item in itemUniverse where itemIndex[item] == nil {
            itemIndex[item] = itemIDs.count
            itemIDs.append(item)
        }
        self.init(userIDs: userIDs, itemIDs: itemIDs, userIndex: userIndex, itemIndex: itemIndex, userItems: sets.map { $0.sorted() })
    }

    /// The same users and items with other interactions (a split keeps indices aligned, so a
    /// model fitted on one part scores the items of another).
    public func replacing(userItems: [[Int32]]) -> Interactions {
        precondition(userItems.count == userCount, "one list per user")
        return Interactions(userIDs: userIDs, itemIDs: itemIDs, userIndex: userIndex, itemIndex: itemIndex, userItems: userItems.map { Array(Set($0)).sorted() })
    }

    private init(userIDs: [String], itemIDs: [String], userIndex: [String: Int], itemIndex: [String: Int], userItems: [[Int32]]) {
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
