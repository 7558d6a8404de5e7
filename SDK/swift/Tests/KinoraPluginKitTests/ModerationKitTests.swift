import KinoraPluginKit
import Testing

/// The moderation binding's own logic: the verdict the kit writes from labels, the media types
/// it calls text, and the feedback it refuses before a plugin sees it.
@Suite struct ModerationKitTests {
    @Test func theVerdictIsSortedClampedAndEscaped() throws {
        let json = ModerationLabel.verdictJSON([
            ModerationLabel(name: "low", score: -0.5), ModerationLabel(name: "nan", score: .nan),
            ModerationLabel(name: "high \"quoted\"", score: 7, matches: ["a\nb"]), ModerationLabel(name: "mid", score: 0.5),
        ])
        let labels = try #require(try JSONValue(parsing: json)["labels"]?.arrayValue)
        #expect(labels.compactMap { $0["name"]?.stringValue } == ["high \"quoted\"", "mid", "low", "nan"], "ties keep their order")
        #expect(labels.compactMap { $0["score"]?.doubleValue } == [1, 0.5, 0, 0])
        #expect(labels[0]["matches"] == ["a\nb"])
        #expect(ModerationLabel.verdictJSON([]) == #"{"labels":[]}"#)
    }

    @Test func textIsTextInUTF8OrASCII() {
        #expect(MediaType.essence(" Text/Plain ; charset=UTF-8") == "text/plain")
        #expect(MediaType.isUTF8Text("text/plain; charset=utf-8"))
        #expect(MediaType.isUTF8Text("text/markdown"))
        #expect(MediaType.isUTF8Text("text/plain; format=flowed; charset=\"US-ASCII\""))
        #expect(!MediaType.isUTF8Text("text/plain; charset=iso-8859-1"))
        #expect(!MediaType.isUTF8Text("image/jpeg"))
    }

    @Test func feedbackReadsTheDecisionAndRefusesWhatIsNotOne() throws {
        let feedback = try ModerationFeedback(
            label: "violation", mediaType: "text/plain; charset=utf-8",
            detailsJSON: #"{"action":"ban","reason":"ads","item_id":"m1","target_type":"comment","target_id":"c1","labels":[{"name":"spam","score":0.9}],"new":1}"#)
        #expect(feedback.label == .violation && feedback.action == "ban" && feedback.reason == "ads")
        #expect(feedback.itemID == "m1" && feedback.targetType == "comment" && feedback.targetID == "c1")
        #expect(feedback.labels == [ModerationLabel(name: "spam", score: 0.9)])
        #expect(feedback.details["new"] == 1, "unknown keys are kept")
        for (label, details) in [("maybe", "{}"), ("Clean", "{}"), ("clean", "[]"), ("clean", "{")] {
            #expect(throws: PluginError.self, "\(label) \(details)") {
                try ModerationFeedback(label: label, mediaType: "text/plain", detailsJSON: details)
            }
        }
    }
}
