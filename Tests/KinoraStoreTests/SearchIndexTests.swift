import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct SearchIndexTests {
    func ids(_ fixture: CatalogFixture, _ text: String) throws -> [String] {
        try fixture.database.videos.search(text, limit: 50, cursor: nil).items.map(\.video.id)
    }

    @Test(arguments: StoreBackend.allCases)
    func aTitleMatchRanksAboveADescriptionMatch(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        try fixture.video("described", title: "Holiday", description: "we saw a volcano erupting near the coast, then another volcano")
        try fixture.video("titled", title: "Volcano trip")
        try fixture.video("other", title: "Cooking pasta")
        #expect(try ids(fixture, "volcano") == ["titled", "described"])
        #expect(try ids(fixture, "VOLCANO") == ["titled", "described"], "case does not matter")
        #expect(try ids(fixture, "volc") == ["titled", "described"], "the last word matches as a prefix")
        #expect(try ids(fixture, "volcano pasta").isEmpty, "every word is required")
        let page = try fixture.database.videos.search("volcano", limit: 1, cursor: nil)
        #expect(page.total == 2 && page.items.map(\.video.id) == ["titled"])
        let next = try fixture.database.videos.search("volcano", limit: 1, cursor: page.nextCursor)
        #expect(next.items.map(\.video.id) == ["described"] && next.nextCursor == nil)
        #expect(throws: InvalidCursor.self) { try fixture.database.videos.search("volcano", limit: 1, cursor: "bad!") }
    }

    /// bm25 weighs a match by the length of the row it is in; PostgreSQL's rank must too, or
    /// two videos found by one title word come back in another order once an install moves to
    /// PostgreSQL (DatabaseMoveServeTests saw it). The ids are chosen so a tie by id would put
    /// the longer video first.
    @Test(arguments: StoreBackend.allCases)
    func anEqualMatchInAShorterVideoRanksFirst(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        try fixture.video("a-long", title: "Harbour at dawn", description: "Boats leaving at first light. Shot in one take.", tags: ["sea"])
        try fixture.video("b-short", title: "Ferry before dawn")
        #expect(try ids(fixture, "dawn") == ["b-short", "a-long"])
        #expect(try ids(fixture, "da") == ["b-short", "a-long"], "a prefix match too")
    }

    @Test(arguments: StoreBackend.allCases)
    func userInputCannotInjectQuerySyntax(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        try fixture.video("a", title: "Alpha OR beta \"quoted\" NEAR(x y)", description: "a title")
        for text in [
            "\"", "\"unterminated", "a OR", "NOT", "*", "alpha*)", "title:alpha", "NEAR(", "^alpha", "-alpha", "(", "alpha AND",
            "'; DROP TABLE videos; --", "\u{0}",
            // PostgreSQL's tsquery syntax.
            "alpha & !beta", "alpha | zzz", "alpha <-> beta", "alpha <2> beta", "alpha:A", "alpha:*", "!", "&", "'", "''", "\\", "('alpha')",
        ] {
            _ = try fixture.database.videos.search(text, limit: 10, cursor: nil)
        }
        #expect(try ids(fixture, "title:alpha") == ["a"], "a column filter is just two words")
        #expect(try ids(fixture, "OR") == ["a"], "operators are words")
        #expect(try ids(fixture, "!!!").isEmpty)
        #expect(try ids(fixture, "near x") == ["a"])
        #expect(try ids(fixture, "alpha & !beta") == ["a"], "a negation is just a word")
        #expect(try ids(fixture, "alpha | zzz").isEmpty, "an alternative is just a word, and every word is required")
    }

    @Test(arguments: StoreBackend.allCases)
    func privateUnlistedAndScheduledVideosAreNeverFound(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        try fixture.video("public", title: "Secret garden")
        try fixture.video("private", title: "Secret garden", visibility: "private")
        try fixture.video("unlisted", title: "Secret garden", visibility: "unlisted")
        try fixture.video("scheduled", title: "Secret garden", publishAt: Date().addingTimeInterval(3600))
        #expect(try ids(fixture, "secret garden") == ["public"])
    }

    @Test(arguments: StoreBackend.allCases)
    func tagsChannelNamesAndEditsAreSearchableAndDeletionRemovesTheEntry(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let alice = try fixture.user("alice")
        let channel = try fixture.database.channels.list(ownerID: alice.id)[0]
        try fixture.video("v", title: "Untitled", owner: alice.id, channel: channel.id, tags: ["woodworking"])
        #expect(try ids(fixture, "woodworking") == ["v"])
        #expect(try fixture.database.channels.update(id: channel.id, name: "Carpentry Corner")?.name == "Carpentry Corner")
        #expect(try ids(fixture, "carpentry") == ["v"], "a channel rename is re-indexed")
        var video = try #require(try fixture.database.videos.find("v"))
        video.title = "Dovetail joints"
        try fixture.database.videos.updateMetadata(video, tags: ["joinery"])
        #expect(try ids(fixture, "dovetail") == ["v"] && ids(fixture, "joinery") == ["v"])
        #expect(try ids(fixture, "woodworking").isEmpty, "the old tag is gone from the index")
        try fixture.database.videos.delete("v")
        #expect(try fixture.count("video_search") == 0 && fixture.count("video_search_docs") == 0, "the search entry goes with its video")
    }
}
