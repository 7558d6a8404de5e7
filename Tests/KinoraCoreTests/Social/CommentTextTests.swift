import KinoraCore
import Testing

@Suite struct CommentTextTests {
    @Test func linksMentionsAndTimestampsAreFoundAsAPageWouldDrawThem() {
        let text = "@Mara see https://example.com and www.example.org at 1:23, then 1:02:03. Mail me@host.com @mara. @x"
        #expect(CommentText.linkCount(text) == 2)
        #expect(CommentText.mentions(text) == ["mara"], "a mention once, an address is not one, a too short name neither")
        #expect(CommentText.timestamps(text) == [83, 3723])
        #expect(CommentText.timestamps("1:75 and 12:345 and a:bc") == [], "not positions")
        #expect(CommentText.linkCount("no links, just text") == 0)
    }
}
