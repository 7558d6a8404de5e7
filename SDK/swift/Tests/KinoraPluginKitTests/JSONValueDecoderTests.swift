import KinoraPluginKit
import Testing

/// The decoder that replaces Foundation's: plugin settings and the presentation decode
/// through it, and its errors name the key path.
@Suite struct JSONValueDecoderTests {
    struct Settings: Decodable, Equatable {
        struct Limit: Decodable, Equatable {
            var name: String
            var bytes: UInt32
        }
        var root: String
        var fsync: Bool?
        var ratio: Double
        var small: Int8
        var limits: [Limit]
        var tags: [String: String]
        var optionalList: [Int]?
    }

    static let good = #"{"root":"/srv","ratio":2,"small":-128,"limits":[{"name":"a","bytes":4294967295}],"tags":{"x":"y"},"unknown":{"z":[1]}}"#

    @Test func decodesNestedStructsArraysDictionariesAndOptionals() throws {
        let s = try JSONValueDecoder().decode(Settings.self, from: Self.good)
        #expect(
            s
                == Settings(
                    root: "/srv", fsync: nil, ratio: 2, small: -128, limits: [.init(name: "a", bytes: 4_294_967_295)], tags: ["x": "y"],
                    optionalList: nil))
        let withNull = try JSONValueDecoder().decode(
            Settings.self, from: Self.good.replacingFirst("{", with: #"{"fsync":null,"optionalList":[1,2],"#))
        #expect(withNull.fsync == nil && withNull.optionalList == [1, 2])
    }

    /// The error's coding path as the kit prints it: "limits[0].bytes".
    static func failure(_ json: String) -> (kind: String, path: String, message: String)? {
        do {
            _ = try JSONValueDecoder().decode(Settings.self, from: json)
            return nil
        } catch let error as DecodingError {
            func path(_ keys: [any CodingKey]) -> String {
                keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            }
            switch error {
            case .keyNotFound(let key, let c): return ("keyNotFound", path(c.codingPath + [key]), c.debugDescription)
            case .typeMismatch(_, let c): return ("typeMismatch", path(c.codingPath), c.debugDescription)
            case .valueNotFound(_, let c): return ("valueNotFound", path(c.codingPath), c.debugDescription)
            case .dataCorrupted(let c): return ("dataCorrupted", path(c.codingPath), c.debugDescription)
            @unknown default: return nil
            }
        } catch {
            return nil
        }
    }

    @Test func errorsNameTheKeyPathAndWhatWasExpected() {
        let missing = Self.failure(Self.good.replacingFirst(#""root":"/srv","#, with: ""))
        #expect(missing?.kind == "keyNotFound" && missing?.path == ".root")
        let wrongType = Self.failure(Self.good.replacingFirst(#""bytes":4294967295"#, with: #""bytes":"many""#))
        #expect(wrongType?.kind == "typeMismatch" && wrongType?.path == ".limits[0].bytes")
        #expect(wrongType?.message == "expected an integer, found a string")
        let tooBig = Self.failure(Self.good.replacingFirst("4294967295", with: "4294967296"))
        #expect(tooBig?.kind == "dataCorrupted" && tooBig?.path == ".limits[0].bytes" && tooBig?.message == "number 4294967296 is not UInt32")
        let fraction = Self.failure(Self.good.replacingFirst("-128", with: "1.5"))
        #expect(fraction?.kind == "dataCorrupted" && fraction?.path == ".small")
        let null = Self.failure(Self.good.replacingFirst(#""/srv""#, with: "null"))
        #expect(null?.kind == "valueNotFound" && null?.path == ".root" && null?.message == "expected a string, found null")
        let notObject = Self.failure(Self.good.replacingFirst(#"[{"name":"a","bytes":4294967295}]"#, with: "[3]"))
        #expect(notObject?.kind == "typeMismatch" && notObject?.path == ".limits[0]" && notObject?.message == "expected an object, found a number")
        let syntax = Self.failure("{\"root\":")
        #expect(syntax?.kind == "dataCorrupted" && syntax?.path == "" && syntax?.message == "unexpected end of input at offset 8")
    }

    @Test func thePresentationParsesWithoutFoundationAndNamesTheBadKey() throws {
        let sample = #"""
            {"video_id":"v","renditions":[{"id":"720p","type":"video","codecs":"avc1.64001f","bandwidth":2800000,
             "width":1280,"height":720,"frame_rate":30.0,"timescale":90000,"init":"720p/init.mp4","future":[1],
             "segments":[{"uri":"720p/seg-00001.m4s","start":0,"duration":360000,"iframe":{"offset":0,"size":10}}]}]}
            """#
        let p = try PackagerPresentation.parse(sample)
        #expect(p.video.first?.frameRate == 30 && p.video.first?.segments.first?.iframe?.size == 10 && p.textTracks.isEmpty)
        func message(_ json: String) -> String {
            do {
                _ = try PackagerPresentation.parse(json)
                return "accepted"
            } catch {
                return (error as? PluginError)?.message ?? "\(error)"
            }
        }
        #expect(
            message(sample.replacingFirst(#""timescale":90000"#, with: #""timescale":"fast""#))
                == "presentation.renditions[0].timescale: expected an integer")
        #expect(message(sample.replacingFirst(#""uri":"720p/seg-00001.m4s","#, with: "")) == "presentation.renditions[0].segments[0].uri: required")
        #expect(message("[]") == "presentation: expected an object")
        #expect(message("{").hasPrefix("presentation: not a valid JSON object (expected a string key but found end of input at offset 1)"))
        #expect(message(sample.replacingFirst(#""width":1280"#, with: #""width":null"#)) == "presentation.renditions[0].width: required for video")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        replacing(target, with: replacement, maxReplacements: 1)
    }
}
