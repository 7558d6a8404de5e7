import Foundation
import KinoraStore
import KinoraTestSupport
import Testing

@Suite struct CatalogRepositoryTests {
    @Test(arguments: StoreBackend.allCases)
    func uploadersGetADefaultChannelWithTheirAccountAndViewersDoNot(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let alice = try fixture.user("Alice")
        let admin = try fixture.user("root", role: "admin")
        let viewer = try fixture.user("vic", role: "viewer")
        let aliceChannels = try fixture.database.channels.list(ownerID: alice.id)
        #expect(aliceChannels.map(\.handle) == ["alice"] && aliceChannels.first?.name == "Alice")
        #expect(try fixture.database.channels.list(ownerID: admin.id).count == 1)
        #expect(try fixture.database.channels.list(ownerID: viewer.id).isEmpty)
        // A handle taken by another channel gets a suffix; handles are unique whatever the case.
        // A second later, so "the oldest" is not down to the clock's resolution.
        try fixture.database.channels.create(ChannelRecord(ownerID: alice.id, handle: "Bob", name: "Bob fans", now: Date().addingTimeInterval(1)))
        #expect(try fixture.database.channels.find(handle: "BOB")?.name == "Bob fans", "a handle is found whatever its case")
        let bob = try fixture.user("bob")
        #expect(try fixture.database.channels.list(ownerID: bob.id).map(\.handle) == ["bob-2"])
        // What an @mention links to: each account's oldest channel; none for a viewer.
        #expect(try fixture.database.channels.defaultHandles(ownerIDs: [alice.id, bob.id, viewer.id]) == [alice.id: "alice", bob.id: "bob-2"])
        #expect(try fixture.database.channels.defaultHandles(ownerIDs: [String]()).isEmpty)
        #expect(throws: HandleTaken.self) { try fixture.database.channels.create(ChannelRecord(ownerID: bob.id, handle: "ALICE", name: "x")) }
        let bobs = try #require(try fixture.database.channels.list(ownerID: bob.id).first)
        #expect(throws: HandleTaken.self) { try fixture.database.channels.update(id: bobs.id, handle: "Alice") }
        let renamed = try fixture.database.channels.update(id: bobs.id, handle: "Bobby", description: "Bob's own")
        #expect(renamed?.handle == "bobby" && renamed?.name == "bob" && renamed?.description == "Bob's own")
        #expect(try fixture.database.channels.find(id: bobs.id) == renamed)
        #expect(try fixture.database.channels.update(id: "missing", name: "x") == nil)
        // The default channel is the oldest; one is made again when all were deleted.
        #expect(try fixture.database.channels.defaultChannel(for: alice).handle == "alice")
        for channel in try fixture.database.channels.list(ownerID: alice.id) { try fixture.database.channels.delete(id: channel.id) }
        #expect(try fixture.database.channels.defaultChannel(for: alice).handle == "alice")
        #expect(try fixture.database.channels.list(ownerID: alice.id).count == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func tagsAreNormalizedAndBounded(_ backend: StoreBackend) throws {
        #expect(try VideoTags.parse(commaSeparated: " Cats ,funny   Videos,, cats,CATS") == ["cats", "funny videos"])
        #expect(throws: VideoTags.Invalid.self) { try VideoTags.normalize([String(repeating: "a", count: 41)]) }
        #expect(try VideoTags.normalize([String(repeating: "a", count: 40)]).count == 1)
        #expect(throws: VideoTags.Invalid.self) { try VideoTags.normalize((1...21).map { "t\($0)" }) }
        #expect(throws: VideoTags.Invalid.self) { try VideoTags.normalize(["bell\u{07}"]) }

        let fixture = try CatalogFixture(backend)
        try fixture.video("a", tags: ["zeta", "alpha"])
        #expect(try fixture.database.videos.tags(videoID: "a") == ["zeta", "alpha"], "the creator's order is kept")
        var query = VideoQuery()
        query.tag = "alpha"
        #expect(try fixture.database.videos.list(query).items.map(\.video.id) == ["a"])
        #expect(try fixture.database.videos.list(query).items.first?.tags == ["zeta", "alpha"])
    }

    @Test(arguments: StoreBackend.allCases)
    func visibilityIsFilteredInSQLSoPagesAreFull(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let alice = try fixture.user("alice")
        let future = Date().addingTimeInterval(3600)
        // Newest first: hidden videos sit between the public ones.
        for index in 0..<12 {
            let visibility = ["public", "private", "unlisted"][index % 3]
            try fixture.video("v\(index)", minute: Double(index), visibility: visibility, owner: alice.id)
        }
        try fixture.video("scheduled", minute: 100, owner: alice.id, publishAt: future)
        var query = VideoQuery()
        query.limit = 3
        let page = try fixture.database.videos.list(query)
        #expect(page.items.map(\.video.id) == ["v9", "v6", "v3"], "three public videos, none hidden, none scheduled")
        query.cursor = page.nextCursor
        let rest = try fixture.database.videos.list(query)
        #expect(rest.items.map(\.video.id) == ["v0"] && rest.nextCursor == nil)

        var own = VideoQuery()
        own.scope = .owner(alice.id)
        own.limit = 100
        #expect(try fixture.database.videos.list(own).items.count == 13, "owner=me lists all of the caller's videos")
        var all = VideoQuery()
        all.scope = .all
        all.limit = 100
        #expect(try fixture.database.videos.list(all).items.first?.video.id == "scheduled")
        // Once its time has come, the scheduled video is listed at its publication time.
        #expect(try fixture.database.videos.list(VideoQuery(), now: future.addingTimeInterval(1)).items.first?.video.id == "scheduled")

        // The single-video check agrees.
        let hidden = try #require(try fixture.database.videos.find("scheduled"))
        #expect(!hidden.isVisible(to: nil, isAdmin: false) && !hidden.isVisible(to: "someone", isAdmin: false))
        #expect(hidden.isVisible(to: alice.id, isAdmin: false) && hidden.isVisible(to: nil, isAdmin: true))
        #expect(try #require(try fixture.database.videos.find("v2")).isVisible(to: nil, isAdmin: false), "unlisted: by direct link")
    }

    @Test(arguments: StoreBackend.allCases, VideoQuery.Sort.allCases)
    func pagesNeitherRepeatNorSkipWhileVideosAreInserted(_ backend: StoreBackend, sort: VideoQuery.Sort) throws {
        let fixture = try CatalogFixture(backend)
        let titles = ["banana", "Apple", "cherry", "apple", "Date", "elder", "fig", "Grape"]
        for (index, title) in titles.enumerated() {
            try fixture.video("v\(index)", minute: Double(index), title: title)
            try fixture.database.videos.addViews("v\(index)", Int64([5, 3, 5, 1, 0, 9, 3, 5][index]))
        }
        var query = VideoQuery()
        query.sort = sort
        query.limit = 100
        let expected = try fixture.database.videos.list(query).items.map(\.video.id)
        query.limit = 3
        var seen: [String] = []
        var inserted = 0
        repeat {
            let page = try fixture.database.videos.list(query)
            seen += page.items.map(\.video.id)
            query.cursor = page.nextCursor
            // Inserted between pages: newer, more viewed, alphabetically first; none may shift a page.
            inserted += 1
            try fixture.video("new\(inserted)", minute: 1000 + Double(inserted), title: "Aaa \(inserted)")
            try fixture.database.videos.addViews("new\(inserted)", 100 + Int64(inserted))
        } while query.cursor != nil
        #expect(seen == expected)
        #expect(inserted == 3)
    }

    @Test(arguments: StoreBackend.allCases)
    func titlesSortWhateverTheirCaseAndACursorBelongsToItsSort(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        for (index, title) in ["banana", "Apple", "cherry", "apple", "Date"].enumerated() { try fixture.video("v\(index)", title: title) }
        var byTitle = VideoQuery()
        byTitle.sort = .title
        #expect(try fixture.database.videos.list(byTitle).items.map(\.video.title) == ["Apple", "apple", "banana", "cherry", "Date"])
        var newest = VideoQuery()
        newest.limit = 2
        var byViews = VideoQuery()
        byViews.sort = .mostViewed
        let newestCursor = try #require(try fixture.database.videos.list(newest).nextCursor)
        byViews.cursor = newestCursor
        #expect(throws: InvalidCursor.self) { try fixture.database.videos.list(byViews) }
    }

    @Test(arguments: StoreBackend.allCases)
    func filtersNarrowTheListing(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let alice = try fixture.user("alice")
        let channel = try fixture.database.channels.list(ownerID: alice.id)[0]
        try fixture.database.categories.create(CategoryRecord(id: "music", name: "Music"))
        try fixture.video("short", minute: 1, owner: alice.id, channel: channel.id, duration: 30)
        try fixture.video("long", minute: 2, duration: 600)
        var music = try #require(try fixture.database.videos.find("long"))
        music.categoryID = "music"
        try fixture.database.videos.updateMetadata(music, tags: nil)
        func ids(_ change: (inout VideoQuery) -> Void) throws -> [String] {
            var query = VideoQuery()
            change(&query)
            return try fixture.database.videos.list(query).items.map(\.video.id)
        }
        #expect(try ids { $0.channelID = channel.id } == ["short"])
        #expect(try ids { $0.categoryID = "music" } == ["long"])
        #expect(try ids { $0.minDuration = 60 } == ["long"])
        #expect(try ids { $0.maxDuration = 60 } == ["short"])
        #expect(try ids { $0.publishedAfter = fixture.start.addingTimeInterval(90) } == ["long"])
        #expect(try ids { $0.publishedBefore = fixture.start.addingTimeInterval(90) } == ["short"])
        // Deleting the category leaves the video without one.
        try fixture.database.categories.delete(id: "music")
        #expect(try fixture.database.videos.find("long")?.categoryID == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func aVideoIsReadWithEverythingItShows(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let alice = try fixture.user("alice")
        let channel = try fixture.database.channels.list(ownerID: alice.id)[0]
        try fixture.video("v", owner: alice.id, channel: channel.id, tags: ["one", "two"])
        try fixture.database.captions.save(CaptionRecord(videoID: "v", language: "en", label: "English", isDefault: true, size: 10))
        let details = try #require(try fixture.database.videos.details(id: "v"))
        #expect(details.channel?.handle == "alice" && details.tags == ["one", "two"])
        #expect(details.job?.state == "queued" && details.captions.map(\.language) == ["en"] && details.presentation == nil)
        #expect(try fixture.database.videos.details(id: "missing") == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func categoriesListByNameWhateverTheCaseAndKeepTheirIDs(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        let categories = fixture.database.categories
        for (id, name) in [("music", "music"), ("how-to", "How-to"), ("art", "Art"), ("zoo", "animals")] {
            try categories.create(CategoryRecord(id: id, name: name))
        }
        #expect(throws: CategoryExists.self) { try categories.create(CategoryRecord(id: "music", name: "Music again")) }
        #expect(try categories.list().map(\.name) == ["animals", "Art", "How-to", "music"])
        #expect(try categories.rename(id: "music", to: "Music")?.name == "Music")
        #expect(try categories.find(id: "music")?.name == "Music")
        #expect(try categories.rename(id: "missing", to: "x") == nil)
        #expect(try categories.delete(id: "zoo") && !(try categories.delete(id: "zoo")))
        #expect(try categories.list().map(\.id) == ["art", "how-to", "music"])
    }
}

@Suite struct TrendingTests {
    /// The decay: 45,000 s (750 minutes) newer is worth ten times the engagement.
    @Test(arguments: StoreBackend.allCases)
    func engagementAndRecencyOrderTrendingAndAViewReordersAtOnce(_ backend: StoreBackend) throws {
        let fixture = try CatalogFixture(backend)
        try fixture.video("old", minute: 0)
        try fixture.video("new", minute: 750)
        try fixture.video("mid", minute: 375)
        try fixture.video("hidden", minute: 2000, visibility: "private")
        var query = VideoQuery()
        query.sort = .trending
        #expect(try fixture.database.videos.list(query).items.map(\.video.id) == ["new", "mid", "old"], "no engagement: newest first")
        // Scores: old log10(30) + 0 = 1.48, new 0 + 1 = 1, mid log10(2) + 0.5 = 0.8.
        try fixture.database.videos.addViews("old", 30)
        try fixture.database.videos.addViews("mid", 2)
        #expect(try fixture.database.videos.list(query).items.map(\.video.id) == ["old", "new", "mid"])
        // mid: log10(100) + 0.5 = 2.5, at once.
        try fixture.database.videos.addViews("mid", 98)
        #expect(try fixture.database.videos.list(query).items.map(\.video.id) == ["mid", "old", "new"])
        // Pages follow the keyset of (score, id) without gaps or repeats.
        query.limit = 1
        var seen: [String] = []
        repeat {
            let page = try fixture.database.videos.list(query)
            seen += page.items.map(\.video.id)
            query.cursor = page.nextCursor
        } while query.cursor != nil
        #expect(seen == ["mid", "old", "new"])
    }
}
