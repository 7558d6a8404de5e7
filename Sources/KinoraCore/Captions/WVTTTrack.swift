/// WebVTT cues as fragmented MP4 (ISO/IEC 14496-30, sample entry `wvtt`): what DASH's
/// live profile can address by SegmentTemplate, and what VLC 3.0 reads, where a plain .vtt
/// in an MPD crashes it.
///
/// The track has a millisecond timescale. Each segment covers its interval of the media
/// timeline with samples that never overlap: a sample per stretch of time during which the
/// same cues are shown (`vttc` boxes, one per cue, with its `iden`, `sttg` and `payl`), or a
/// `vtte` box while none is. A cue that crosses a segment boundary is repeated in both, as
/// the standard prescribes.
enum WVTTTrack {
    static let timescale: UInt32 = 1000
    static let trackID: UInt32 = 1

    /// The init segment: ftyp and a moov with one `text` track whose sample entry is `wvtt`.
    static func initSegment(language: String) -> [UInt8] {
        var b = MP4Boxes()
        b.box("ftyp") { b in
            b.fourCC("iso6")
            b.u32(0)
            for brand in ["iso6", "cmfc", "dash"] { b.fourCC(brand) }
        }
        b.box("moov") { b in
            b.fullBox("mvhd") { b in
                b.u32(0)
                b.u32(0)
                b.u32(timescale)
                b.u32(0)  // duration: fragments say it
                b.u32(0x0001_0000)  // rate 1.0
                b.u16(0x0100)  // volume 1.0
                b.zeros(10)
                b.unityMatrix()
                b.zeros(24)
                b.u32(trackID + 1)
            }
            b.box("trak") { b in
                b.fullBox("tkhd", flags: 0x3) { b in  // enabled, in movie
                    b.u32(0)
                    b.u32(0)
                    b.u32(trackID)
                    b.u32(0)
                    b.u32(0)
                    b.zeros(8)
                    b.u16(0)  // layer
                    b.u16(0)  // alternate group
                    b.u16(0)  // volume: not audio
                    b.u16(0)
                    b.unityMatrix()
                    b.u32(0)
                    b.u32(0)
                }
                b.box("mdia") { b in
                    b.fullBox("mdhd") { b in
                        b.u32(0)
                        b.u32(0)
                        b.u32(timescale)
                        b.u32(0)
                        b.u16(packedLanguage(language))
                        b.u16(0)
                    }
                    b.fullBox("hdlr") { b in
                        b.u32(0)
                        b.fourCC("text")
                        b.zeros(12)
                        b.string("Kinora WebVTT")
                        b.u8(0)
                    }
                    b.box("minf") { b in
                        b.fullBox("nmhd") { _ in }
                        b.box("dinf") { b in
                            b.fullBox("dref") { b in
                                b.u32(1)
                                b.fullBox("url ", flags: 1) { _ in }  // media in this file
                            }
                        }
                        b.box("stbl") { b in
                            b.fullBox("stsd") { b in
                                b.u32(1)
                                b.box("wvtt") { b in
                                    b.zeros(6)
                                    b.u16(1)  // data reference index
                                    b.box("vttC") { $0.string("WEBVTT") }
                                }
                            }
                            b.fullBox("stts") { $0.u32(0) }
                            b.fullBox("stsc") { $0.u32(0) }
                            b.fullBox("stsz") { b in
                                b.u32(0)
                                b.u32(0)
                            }
                            b.fullBox("stco") { $0.u32(0) }
                        }
                    }
                }
            }
            b.box("mvex") { b in
                b.fullBox("trex") { b in
                    b.u32(trackID)
                    b.u32(1)  // sample description
                    b.u32(0)
                    b.u32(0)
                    b.u32(0)  // every text sample is a sync sample
                }
            }
        }
        return b.bytes
    }

    /// One media segment: `[start, end)` in milliseconds, numbered `sequence` (from 1); nil
    /// when its samples would take more than `budget` bytes (what they take is taken off it).
    static func mediaSegment(_ cues: [WebVTTCue], start: Int64, end: Int64, sequence: UInt32, budget: inout Int) -> [UInt8]? {
        guard let samples = self.samples(cues, start: start, end: end, budget: &budget) else { return nil }
        var payload: [UInt8] = []
        for s in samples { payload += s.bytes }
        // The moof is written twice: its size decides trun's data offset, which does not
        // change that size.
        func moof(dataOffset: Int32) -> [UInt8] {
            var b = MP4Boxes()
            b.box("moof") { b in
                b.fullBox("mfhd") { $0.u32(sequence) }
                b.box("traf") { b in
                    b.fullBox("tfhd", flags: 0x02_0000) { $0.u32(trackID) }  // default-base-is-moof
                    b.fullBox("tfdt", version: 1) { $0.u64(UInt64(start)) }
                    b.fullBox("trun", flags: 0x000301) { b in  // data offset, durations, sizes
                        b.u32(UInt32(samples.count))
                        b.u32(UInt32(bitPattern: dataOffset))
                        for s in samples {
                            b.u32(UInt32(s.duration))
                            b.u32(UInt32(s.bytes.count))
                        }
                    }
                }
            }
            return b.bytes
        }
        var b = MP4Boxes()
        b.box("styp") { b in
            b.fourCC("msdh")
            b.u32(0)
            for brand in ["msdh", "cmfs"] { b.fourCC(brand) }
        }
        let moofBytes = moof(dataOffset: Int32(moof(dataOffset: 0).count + 8))
        b.raw(moofBytes)
        b.box("mdat") { $0.raw(payload) }
        return b.bytes
    }

    /// The samples of `[start, end)`: one per stretch between cue edges, each with the cues
    /// shown throughout it (in file order), or an empty `vtte` sample; nil past `budget` bytes.
    ///
    /// A sweep over the edges keeps the cues shown, so the work follows what is written, not
    /// stretches × cues: thousands of cues piled on one segment cost their output, which the
    /// budget bounds.
    static func samples(_ cues: [WebVTTCue], start: Int64, end: Int64, budget: inout Int) -> [(duration: Int64, bytes: [UInt8])]? {
        // What shows here, clipped to the segment; a cue lasting no time never shows.
        let shownHere = cues.enumerated().compactMap { index, cue -> (index: Int, from: Int64, to: Int64)? in
            let from = max(cue.start, start), to = min(cue.end, end)
            return from < to ? (index, from, to) : nil
        }
        var edges: Set<Int64> = [start, end]
        for cue in shownHere {
            edges.insert(cue.from)
            edges.insert(cue.to)
        }
        let times = edges.sorted()
        let starting = Dictionary(grouping: shownHere, by: \.from)
        let ending = Dictionary(grouping: shownHere, by: \.to)
        // The cues showing, by file position.
        var showing: [Int] = []
        var samples: [(duration: Int64, bytes: [UInt8])] = []
        for (from, to) in zip(times, times.dropFirst()) {
            if let gone = ending[from] {
                let ended = Set(gone.map(\.index))
                showing.removeAll { ended.contains($0) }
            }
            if let new = starting[from] {
                for cue in new {
                    var low = 0, high = showing.count
                    while low < high {
                        let middle = (low + high) / 2
                        if showing[middle] < cue.index { low = middle + 1 } else { high = middle }
                    }
                    showing.insert(cue.index, at: low)
                }
            }
            var b = MP4Boxes()
            if showing.isEmpty {
                b.box("vtte") { _ in }
            } else {
                for index in showing {
                    let cue = cues[index]
                    b.box("vttc") { b in
                        if let identifier = cue.identifier { b.box("iden") { $0.string(identifier) } }
                        if let settings = cue.settings { b.box("sttg") { $0.string(settings) } }
                        b.box("payl") { $0.string(cue.payload) }
                    }
                }
            }
            // Counted even when merged below: building it was the work.
            budget -= b.bytes.count
            guard budget >= 0 else { return nil }
            // A stretch identical to the one before (the same cues) is merged into it.
            if let last = samples.last, last.bytes == b.bytes {
                samples[samples.count - 1].duration += to - from
            } else {
                samples.append((to - from, b.bytes))
            }
        }
        return samples
    }

    /// mdhd's language: ISO 639-2/T letters, 5 bits each; "und" for a tag it cannot hold.
    static func packedLanguage(_ tag: String) -> UInt16 {
        let primary = tag.split(separator: "-").first.map { String($0).lowercased() } ?? "und"
        let three = iso639_2[primary] ?? (primary.count == 3 ? primary : "und")
        let letters = Array(three.utf8)
        guard letters.count == 3, letters.allSatisfy({ (0x61...0x7A).contains($0) }) else { return packedLanguage("und") }
        return letters.reduce(UInt16(0)) { ($0 << 5) | UInt16($1 - 0x60) }
    }

    /// The two-letter codes of the languages captions are most often in.
    static let iso639_2: [String: String] = [
        "en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld", "sv": "swe", "da": "dan",
        "no": "nor", "nb": "nob", "fi": "fin", "pl": "pol", "cs": "ces", "ru": "rus", "uk": "ukr", "el": "ell", "tr": "tur",
        "ar": "ara", "he": "heb", "hi": "hin", "ja": "jpn", "ko": "kor", "zh": "zho", "th": "tha", "vi": "vie", "id": "ind",
        "hu": "hun", "ro": "ron", "ca": "cat", "eu": "eus", "gl": "glg", "ga": "gle", "cy": "cym", "is": "isl", "fa": "fas",
    ]
}
