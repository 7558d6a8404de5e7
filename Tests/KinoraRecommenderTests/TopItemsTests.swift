import KinoraRecommender
import Testing

@Suite struct TopItemsTests {
    @Test func theBestFirstWithTiesToTheLowerIndexAndExclusionsLeftOut() {
        let scores: [Double] = [0.5, 2, 2, -.infinity, 7, 0.5, 3]
        #expect(TopItems.select(scores, k: 3) == [4, 6, 1])
        #expect(TopItems.select(scores, k: 4, excluded: [4, 6]) == [1, 2, 0, 5])
        #expect(TopItems.select(scores, k: 10).count == 6, "an item scored -infinity is never recommended")
        #expect(TopItems.select(scores, k: 0).isEmpty)
    }
}
