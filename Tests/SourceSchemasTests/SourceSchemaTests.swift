import BSON
import Foundation
import SourceSchemas
import Testing

/// What a raw document must be to be normalized, checked without any database or driver: the
/// target builds on the pure-Swift BSON layer alone.
@Suite struct SourceSchemaTests {
    @Test func creditsMustHoldScalarPersonIds() throws {
        let good: Document = ["id": 7, "title": "T", "credits": ["crew": [["id": "12", "job": "Director"]], "cast": [["id": 3.0]]]]
        let normalized = try TMDBMovie.normalize(good, key: nil).document
        #expect(normalized[path: "credits.crew.0.id"] == .int64(12) && normalized[path: "credits.cast.0.id"] == .int64(3))
        for bad: BSONValue in [["$gt": 1], [1], "$revenue", -4, 1.5, true] {
            let movie: Document = ["id": 7, "title": "T", "credits": ["crew": [["id": bad, "job": "Director"]]]]
            #expect(throws: RecordError.self, "\(bad)") { _ = try TMDBMovie.normalize(movie, key: nil) }
        }
    }

    @Test func operatorKeysAreRefusedAtAnyDepthByPath() {
        let cases: [(Document, String)] = [
            (["$where": "1"], "$where"),
            (["stats": ["playCount": 5, "$gt": 1]], "stats.$gt"),
            (["challenges": [["title": "a"], ["$cond": [1, 2, 3]]]], "challenges.1.$cond"),
        ]
        for (document, path) in cases {
            #expect(throws: RecordError.self) { try OperatorKeys.refuse(in: document) }
            do {
                try OperatorKeys.refuse(in: document)
            } catch {
                #expect(error.field == path)
            }
        }
        #expect(throws: Never.self) { try OperatorKeys.refuse(in: ["desc": "$5 off", "price": "$cond"]) }
    }

    @Test func aTikTokItemWithoutStatsIsAcceptedOnlyForPrediction() throws {
        let item: Document = ["id": "7001", "createTime": .int64(1_690_000_000), "desc": "#fyp"]
        #expect(throws: RecordError(field: "stats.playCount", reason: "required, missing")) {
            _ = try TikTokVideo.normalize(item, observedAt: Date())
        }
        let normalized = try TikTokVideo.normalize(item, observedAt: Date(), requireStats: false).document
        #expect(normalized["video_id"] == "7001" && normalized["hashtags"] == ["fyp"])
    }

    @Test func fieldReaderReadsExportSpellingsAndNamesTheField() throws {
        let fields = FieldReader(document: ["views": "1.2K", "likes": "1,234", "missing": "N/A", "bad": "lots", "when": "2024-05-01"])
        #expect(try fields.count("views") == 1_200)
        #expect(try fields.count("likes") == 1_234)
        #expect(try fields.count("missing") == nil)
        #expect(throws: RecordError(field: "bad", reason: "expected a number, found \"lots\"")) { _ = try fields.count("bad") }
        #expect(try fields.date("when") == Date(timeIntervalSince1970: 1_714_521_600))
    }
}
