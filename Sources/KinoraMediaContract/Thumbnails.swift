/// The pictures a transcode made of a video, in the shape the worker prints and the daemon
/// stores: file names relative to the output folder (`thumbs/poster.jpg`, …).
public struct Thumbnails: Sendable, Equatable, Codable {
    /// The chosen candidate, copied: the picture players show before playback.
    public var poster: String
    /// Frames spread over the video (10 %, 30 %, 50 %, 70 %, 90 %), for a creator to pick from.
    public var candidates: [String]
    /// The same frames small (long side `ThumbnailPlan.cardLongSide`), in the same order, for
    /// cards and lists: a page of 24 cards must not load 24 full-size posters.
    public var cards: [String]
    /// The poster's small version (one of `cards`).
    public var card: String
    /// Sprite sheets of `columns` x `rows` tiles, in time order.
    public var sprites: [String]
    /// A WebVTT thumbnails track: one cue per tile, `sprite-001.jpg#xywh=x,y,w,h`.
    public var track: String
    /// Seconds between two tiles.
    public var interval: Double
    public var tileWidth: Int
    public var tileHeight: Int
    public var columns: Int
    public var rows: Int

    public init(
        poster: String, candidates: [String], cards: [String], card: String, sprites: [String], track: String,
        interval: Double, tileWidth: Int, tileHeight: Int, columns: Int, rows: Int
    ) {
        self.poster = poster
        self.candidates = candidates
        self.cards = cards
        self.card = card
        self.sprites = sprites
        self.track = track
        self.interval = interval
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.columns = columns
        self.rows = rows
    }

    enum CodingKeys: String, CodingKey {
        case poster, candidates, cards, card, sprites, track, interval, columns, rows
        case tileWidth = "tile_width"
        case tileHeight = "tile_height"
    }

    /// Every file, for storing.
    public var files: [String] { [poster, track] + candidates + cards + sprites }
}
