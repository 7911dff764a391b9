import Features
import Foundation
import MongoKit
import Testing

@Suite struct FeatureDefinitionTests {
    @Test func aFeatureReadingAnOutcomeIsRefusedAtDefinitionTime() {
        #expect(throws: FeatureDefinitionError.leakage(featureSet: "leaky", feature: "log_views", field: "stats.views", outcome: "stats")) {
            try FeatureSet(
                name: "leaky", version: 1, task: .regression, source: "raw_tiktok_videos", outcomeFields: ["stats"],
                timeField: "created_at", features: [Feature("log_views", .log1p(.field("stats.views")))], label: .field("stats.views"))
        }
        let nested = FeatureExpression.condition(
            .greater(.field("budget"), .constant(0)), then: .ratio(.field("revenue"), .field("budget"), ifZero: 0), otherwise: .missing)
        #expect(throws: FeatureDefinitionError.self) {
            try FeatureSet(
                name: "sneaky", version: 1, task: .regression, source: "raw_tmdb_movies", outcomeFields: ["revenue"],
                timeField: "release_date", features: [Feature("roi", nested)], label: nil)
        }
        let message = FeatureDefinitionError.leakage(featureSet: "leaky", feature: "log_views", field: "stats.views", outcome: "stats")
            .description
        #expect(message.contains("known only after the fact") && message.contains("history feature"))
    }

    @Test func everyCatalogSetIsValidAndItsHashIsStable() throws {
        for name in FeatureCatalog.names {
            let set = try FeatureCatalog.set(name)
            #expect(set.definitionHash == (try FeatureCatalog.set(name)).definitionHash)
            #expect(!set.featureNames.isEmpty)
        }
        #expect(try FeatureCatalog.set("tmdb_hit").definitionHash != FeatureCatalog.set("tmdb_revenue").definitionHash)
        #expect(throws: FeatureDefinitionError.unknownSet("nope")) { try FeatureCatalog.set("nope") }
    }

    @Test func swiftEvaluationFollowsMongoSemantics() throws {
        let document = try Document(
            extendedJSON: """
                {"created_at": {"$date": "2026-06-01T19:30:00Z"}, "release_date": "1999-10-15", "hashtags": ["fyp", "dance"],
                 "genres": [{"name": "Drama"}, {"name": "Comedy"}], "stats": {"views": 0, "likes": 5}, "title": "héllo", "flag": true}
                """)
        #expect(FeatureExpression.datePart(.hour, "created_at").evaluate(document) == 19)
        #expect(FeatureExpression.datePart(.weekday, "created_at").evaluate(document) == 0)  // a Monday
        #expect(FeatureExpression.datePart(.month, "release_date").evaluate(document) == 10)
        #expect(FeatureExpression.memberOf("genres.name", ["Comedy"]).evaluate(document) == 1)
        #expect(FeatureExpression.memberOf("hashtags", ["viral"]).evaluate(document) == 0)
        #expect(FeatureExpression.ratio(.field("stats.likes"), .field("stats.views"), ifZero: -1).evaluate(document) == -1)
        #expect(FeatureExpression.ratio(.field("stats.likes"), .field("stats.shares"), ifZero: -1).evaluate(document) == nil)
        #expect(FeatureExpression.stringLength("title").evaluate(document) == 5)
        #expect(FeatureExpression.field("flag").evaluate(document) == 1)
        #expect(FeatureExpression.log1p(.constant(-2)).evaluate(document) == nil)
        #expect(FeatureExpression.coalesce(.field("nope"), fallback: 3).evaluate(document) == 3)
    }

    @Test func splitsAreStable() throws {
        let hash = try SplitRule(parsing: "hash:0.2")
        let held = (0..<5_000).filter { hash.isTest(key: "video-\($0)", time: nil) }
        #expect(abs(Double(held.count) / 5_000 - 0.2) < 0.02)
        #expect(held == (0..<5_000).filter { try! SplitRule(parsing: "hash:0.2").isTest(key: "video-\($0)", time: nil) })
        let time = try SplitRule(parsing: "time:2026-09-01")
        #expect(time.isTest(key: "x", time: Date(timeIntervalSince1970: 1_788_300_000)))
        #expect(!time.isTest(key: "x", time: Date(timeIntervalSince1970: 1_780_000_000)))
        #expect(throws: FeatureDefinitionError.invalidSplit("random")) { try SplitRule(parsing: "random") }
    }
}
