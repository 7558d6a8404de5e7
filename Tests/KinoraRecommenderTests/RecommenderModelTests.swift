import KinoraRecommender
import Testing

@Suite struct RecommenderModelTests {
    /// Each collaborative model keeps every user inside the taste they showed; popularity
    /// cannot, which is why it is only a fallback.
    @Test func collaborativeModelsFollowTheTastePlantedInTheData() throws {
        let data = Interactions(pairs: PlantedTastes.pairs())
        let models: [(String, any ItemScorer)] = [
            ("EASE", try EASE(data, lambda: 10)), ("EASE with dropout", try EASE(data, lambda: 10, dropout: 0.25)),
            ("item-kNN", ItemKNN(data, neighbors: 20, shrink: 0)), ("user-kNN", UserKNN(data, neighbors: 10, shrink: 0)),
        ]
        for (name, model) in models {
            var inside = 0
            var shown = 0
            for user in 0..<data.userCount {
                let seen = data.userItems[user]
                let top = TopItems.select(model.scores(history: seen), k: 5, excluded: seen)
                #expect(top.count == 5 && Set(top).isDisjoint(with: seen), "\(name) recommends what was seen")
                shown += top.count
                inside += top.filter { PlantedTastes.sameHalf(user: data.userIDs[user], item: data.itemIDs[Int($0)]) }.count
            }
            #expect(inside == shown, "\(name): \(shown - inside) of \(shown) recommendations outside the user's taste")
        }
        // Popularity ranks the same two popular items first for everyone.
        let popular = Popularity(data)
        let first = TopItems.select(popular.scores(history: []), k: 2)
        #expect(Set(first.map { data.itemIDs[Int($0)] }) == ["i0", "i30"])
    }

    @Test func aHeldOutSplitIsDisjointCompleteAndTheSameForTheSameSeed() {
        let data = Interactions(pairs: PlantedTastes.pairs())
        let parts = HoldOut.split(data, ratios: [0.8, 0.1, 0.1], seed: 9)
        let again = HoldOut.split(data, ratios: [0.8, 0.1, 0.1], seed: 9)
        let other = HoldOut.split(data, ratios: [0.8, 0.1, 0.1], seed: 10)
        #expect(parts.map(\.userItems) == again.map(\.userItems))
        #expect(parts.map(\.userItems) != other.map(\.userItems))
        for user in 0..<data.userCount {
            let pieces = parts.map { Set($0.userItems[user]) }
            #expect(pieces[0].union(pieces[1]).union(pieces[2]) == Set(data.userItems[user]))
            #expect(pieces[0].isDisjoint(with: pieces[1]) && pieces[1].isDisjoint(with: pieces[2]) && pieces[0].isDisjoint(with: pieces[2]))
            // Twelve items: floor(1.2) = 1 each for validation and test, the rest for training.
            #expect(pieces.map(\.count) == [10, 1, 1])
        }
    }

    /// The whole protocol on planted data: the tuned hybrid finds the held-out items far more
    /// often than popularity, and offline lists never repeat what the file says was seen.
    @Test func evaluationAndOfflineListsOnPlantedData() throws {
        let pairs = PlantedTastes.pairs(users: 120, items: 80, perUser: 20)
        let (_, reports) = try OfflineRecommendation.evaluate(pairs.map { ($0.user, $0.item, 1) }, seed: 4)
        let ndcg = Dictionary(reports.map { ($0.name.prefix { $0 != " " && $0 != "(" }, $0.metrics.ndcg[10] ?? 0) }) { a, _ in a }
        let hybrid = try #require(ndcg["hybrid"])
        let popularity = try #require(ndcg["popularity"])
        #expect(hybrid > 2 * popularity && hybrid > 0.2, "\(reports.map { "\($0.name): \($0.metrics.ndcg[10] ?? 0)" })")
        #expect(reports.allSatisfy { $0.metrics.users == 120 })

        let (_, lists) = try OfflineRecommendation.recommend(pairs.map { ($0.user, $0.item, 1) }, k: 7)
        #expect(lists.count == 120)
        var seen: [String: Set<String>] = [:]
        for pair in pairs { seen[pair.user, default: []].insert(pair.item) }
        for (user, items) in lists {
            #expect(items.count == 7 && Set(items).count == 7 && Set(items).isDisjoint(with: seen[user]!), "\(user): \(items)")
        }
    }

    @Test func anInteractionFileSkipsItsHeaderAndNamesABadLine() throws {
        let dir = FileManagerPaths.temporary("recs-file")
        let good = dir + "/good.inter"
        try "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t881250949\n2\t10\t3\t881250950\n\n2\t11\t5\t881250951\n"
            .write(toFile: good, atomically: true, encoding: .utf8)
        let pairs = try InteractionFile.read(good)
        #expect(pairs.map { "\($0.user)-\($0.item)" } == ["1-10", "2-10", "2-11"])
        // Ratings become strengths, the best one 1.
        #expect(pairs.map(\.strength) == [(4.0 / 5).squareRoot(), (3.0 / 5).squareRoot(), 1])
        let bad = dir + "/bad.inter"
        try "1\t10\t4\t1\nonly-a-user\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect { try InteractionFile.read(bad) } throws: { ($0 as? InteractionFile.BadLine)?.description.hasPrefix("\(bad):2: ") == true }
        #expect { try InteractionFile.read(dir + "/missing.inter") } throws: { "\($0)" == "\(dir)/missing.inter: cannot read the file" }
        // Too little to hold anything out: refused, not a report of zeros.
        #expect(throws: OfflineRecommendation.TooFewInteractions.self) {
            try OfflineRecommendation.evaluate([("u1", "i1", 1), ("u1", "i2", 1), ("u2", "i1", 1)], seed: 1)
        }
    }
}
