import CFFmpeg
import Foundation

/// Makes the poster, the candidate frames (full size and card size) and the trickplay sprite sheets from pictures the
/// transcode decodes anyway: it is handed each filtered frame (upright, deinterlaced, at the
/// output rate) with its time, and keeps only the few it needs.
final class ThumbnailSink {
    private let plan: ThumbnailPlan
    private let folder: String
    private let sheet: Picture
    private let displayed: (width: Int, height: Int)
    private var candidates: [(file: String, card: String, interest: Double)] = []
    private var nextCandidate = 0
    private var sprites: [String] = []
    private var cues: [String] = []
    private var tilesInSheet = 0
    private var nextTileTime = 0.0
    private var lastTime = 0.0

    /// The folder (`<output>/thumbs`) is made here; `width`x`height` is the displayed size.
    init(folder: String, duration: Double, width: Int, height: Int) throws(TranscodeError) {
        plan = ThumbnailPlan(duration: duration, width: width, height: height)
        self.folder = folder
        displayed = (width, height)
        sheet = try Picture(width: plan.tileWidth * plan.columns, height: plan.tileHeight * plan.rows)
        try SegmentFile.makeFolder(folder)
    }

    static let folderName = "thumbs"

    /// One output frame, `time` seconds into the video.
    func offer(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) throws(TranscodeError) {
        lastTime = time
        if nextCandidate < plan.candidateTimes.count, time >= plan.candidateTimes[nextCandidate] {
            try takeCandidate(frame)
            while nextCandidate < plan.candidateTimes.count, time >= plan.candidateTimes[nextCandidate] { nextCandidate += 1 }
        }
        if time >= nextTileTime {
            try addTile(frame, time: time)
            nextTileTime += plan.interval
            // A long gap (a still image with few frames) must not leave a run of empty cues.
            if nextTileTime <= time { nextTileTime = time + plan.interval }
        }
    }

    /// Writes what is pending and returns the thumbnails, or nil when no frame came.
    func finish(videoEnd: Double) throws(TranscodeError) -> Thumbnails? {
        guard let best = candidates.max(by: { $0.interest < $1.interest }) else { return nil }
        if tilesInSheet > 0 { try writeSheet() }
        let end = max(videoEnd, lastTime)
        var track = "WEBVTT\n"
        for (index, cue) in cues.enumerated() {
            let start = Double(index) * plan.interval
            let stop = index + 1 < cues.count ? Double(index + 1) * plan.interval : max(end, start + 0.001)
            track += "\n\(Self.timestamp(start)) --> \(Self.timestamp(stop))\n\(cue)\n"
        }
        let trackName = "trickplay.vtt"
        try SegmentFile.write(Array(track.utf8), to: folder + "/" + trackName, display: "thumbs/" + trackName)
        let poster = "poster.jpg"
        do {
            try? FileManager.default.removeItem(atPath: folder + "/" + poster)
            try FileManager.default.copyItem(atPath: folder + "/" + best.file, toPath: folder + "/" + poster)
        } catch {
            throw .writeFailed("thumbs/\(poster): \(error.localizedDescription)")
        }
        let prefix = Self.folderName + "/"
        return Thumbnails(
            poster: prefix + poster, candidates: candidates.map { prefix + $0.file }, cards: candidates.map { prefix + $0.card },
            card: prefix + best.card, sprites: sprites.map { prefix + $0 },
            track: prefix + trackName, interval: plan.interval, tileWidth: plan.tileWidth, tileHeight: plan.tileHeight,
            columns: plan.columns, rows: plan.rows)
    }

    private func takeCandidate(_ frame: UnsafeMutablePointer<AVFrame>) throws(TranscodeError) {
        // The displayed shape: a frame with non-square pixels is stretched back to it.
        let fitted = ThumbnailPlan.fit(width: displayed.width, height: displayed.height, longSide: ThumbnailPlan.posterLongSide)
        let picture = try Picture(width: fitted.0, height: fitted.1)
        try picture.draw(frame)
        let name = "candidate-\(candidates.count + 1).jpg"
        try picture.writeJPEG(to: folder + "/" + name, display: "thumbs/" + name, scale: 3)
        let small = ThumbnailPlan.fit(width: displayed.width, height: displayed.height, longSide: ThumbnailPlan.cardLongSide)
        let card = try Picture(width: small.0, height: small.1)
        try card.draw(frame)
        let cardName = "card-\(candidates.count + 1).jpg"
        // A little coarser than the poster: at card size it does not show, and eight of them
        // ride along with every watch page's up-next list.
        try card.writeJPEG(to: folder + "/" + cardName, display: "thumbs/" + cardName, scale: 6)
        candidates.append((name, cardName, picture.interest))
    }

    private func addTile(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) throws(TranscodeError) {
        let column = tilesInSheet % plan.columns, row = tilesInSheet / plan.columns
        let x = column * plan.tileWidth, y = row * plan.tileHeight
        try sheet.draw(frame, x: x, y: y, size: (plan.tileWidth, plan.tileHeight))
        cues.append("\(Self.spriteName(sprites.count + 1))#xywh=\(x),\(y),\(plan.tileWidth),\(plan.tileHeight)")
        tilesInSheet += 1
        if tilesInSheet == plan.tilesPerSheet { try writeSheet() }
    }

    private func writeSheet() throws(TranscodeError) {
        let name = Self.spriteName(sprites.count + 1)
        let rowsUsed = (tilesInSheet + plan.columns - 1) / plan.columns
        try sheet.writeJPEG(to: folder + "/" + name, display: "thumbs/" + name, rows: rowsUsed * plan.tileHeight)
        sprites.append(name)
        tilesInSheet = 0
        sheet.clear()
    }

    static func spriteName(_ number: Int) -> String {
        let digits = String(number)
        return "sprite-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits + ".jpg"
    }

    /// WebVTT's `hh:mm:ss.ttt`.
    static func timestamp(_ seconds: Double) -> String {
        let millis = Int((max(0, seconds) * 1000).rounded())
        let h = millis / 3_600_000, m = millis / 60000 % 60, s = millis / 1000 % 60, ms = millis % 1000
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))"
    }
}
