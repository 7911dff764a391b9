import EngageML
import EngageTestSupport
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import Insights
import MongoKit
import Registry
import Serving
import Testing
import Training

/// `{"documents": [{"user_id": …}]}` for the point-in-time `user_churn` model: the row is prepared
/// from the stored events before the cutoff (now, unless the request names one), exactly as the
/// build prepared the training rows.
@Suite(.serialized) struct ChurnServingTests {
    static let day: TimeInterval = 86_400
    /// UTC midnight of the day the test runs: the log ends the day before.
    static let today = PointInTime.nextMidnight(after: Date()).addingTimeInterval(-day)

    /// 40 users over the 70 days before today, each active every `1 + i % 4` days from day `i % 9`
    /// until a last day that leaves some gone for weeks and most active until yesterday.
    static func events() -> [Document] {
        (0..<40).flatMap { user -> [Document] in
            let last = user % 3 == 0 ? 30 + user : 69
            return stride(from: user % 9, through: last, by: 1 + user % 4).flatMap { index -> [Document] in
                let midnight = today.addingTimeInterval(Double(index - 70) * day)
                return (0..<(1 + index % 2)).map { n in
                    [
                        "_id": .string("u\(user)-\(index)-\(n)"), "user_id": .string("u\(user)"), "action": n == 0 ? "view" : "like",
                        "day": .date(midnight), "timestamp": .date(midnight.addingTimeInterval(Double(9 + n) * 3_600)),
                        "watch_seconds": .double(Double(30 + user)), "_ingest": ["fetched_at": .date(today)],
                    ]
                }
            }
        }
    }

    /// The built-in `user_churn` with cutoffs 6, 5, 4 and 3 weeks before today.
    static func churnSet() throws -> FeatureSet {
        let builtIn = try FeatureCatalog.set("user_churn")
        let dates = [42.0, 35, 28, 21].map { PointInTime.dayText(today.addingTimeInterval(-$0 * day)) }
        return try FeatureSet(
            name: builtIn.name, version: builtIn.version, task: builtIn.task, source: builtIn.source, outcomeFields: builtIn.outcomeFields,
            filter: builtIn.filter, timeField: builtIn.timeField, features: builtIn.features, label: builtIn.label,
            preparation: builtIn.preparation, pointInTime: try PointInTime(entity: "user_id", cutoffField: "cutoff", dates: dates))
    }

    static func post(_ client: any TestClientProtocol, _ body: String) async throws -> (Int, [String: Any]) {
        try await client.execute(
            uri: "/v1/models/user_churn/predict", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
        ) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return (response.status.code, object)
        }
    }

    @Test func usersAreScoredFromTheirStoredEventsAsOfTheCutoff() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("churn-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            let set = try Self.churnSet()
            let log = Self.events()
            try await database.collection("raw_events").insertMany(log)
            _ = try await AudienceBuilder(database: database).build()
            _ = try await FeatureBuilder(database: database, set: set).build(full: true)
            let registry = ModelRegistry(database: database, folder: folder)
            _ = try await ModelTrainer(database: database, registry: registry).train(
                set: set, algorithm: try AlgorithmSpec(name: "logistic"), split: try SplitRule(parsing: "hash:0.25"))

            // Verification evaluates the prepared rows in Swift, as serving does: no mismatch.
            let verification = try await FeatureVerification.verify(set, in: database)
            #expect(verification.rows > 60 && verification.compared == verification.rows * set.features.count)
            #expect(verification.mismatches.isEmpty, "\(verification.mismatches.prefix(3))")

            let store = ModelStore(registry: registry)
            await store.refresh()
            var configuration = ServerConfiguration()
            configuration.port = 0
            try await PredictionServer(store: store, configuration: configuration).application().test(.live) { client in
                // At a training cutoff, a served row equals the built row of that cutoff, feature for
                // feature (to the last bits of a logarithm, which MongoDB and Swift may round apart).
                let cutoff = set.pointInTime?.dates.last ?? ""
                let built = try await database.collection(set.collection).find([
                    "_id": ["$in": [.string("u1@\(cutoff)"), .string("u5@\(cutoff)")]]
                ])
                try #require(built.count == 2)
                let (status, answer) = try await Self.post(
                    client,
                    "{\"documents\": [{\"user_id\": \"u1\", \"cutoff\": \"\(cutoff)\"}, {\"user_id\": \"u5\", \"cutoff\": \"\(cutoff)\"}]}")
                #expect(status == 200, "\(answer)")
                let served = (answer["predictions"] as? [[String: Any]] ?? []).map { $0["features"] as? [String: Any] ?? [:] }
                try #require(served.count == 2)
                for (row, features) in zip(built.sorted { "\($0["_id"] ?? .null)" < "\($1["_id"] ?? .null)" }, served) {
                    for name in set.featureNames {
                        let (stored, computed) = (try #require(row[name]?.doubleValue), try #require(features[name] as? Double))
                        #expect(abs(stored - computed) <= 1e-12 * max(1, abs(stored)), "\(row["_id"] ?? .null) \(name)")
                    }
                }

                // Without a cutoff: as of now, every stored event counts. u2 is active every third
                // day up to yesterday: counted by hand from the log.
                let (nowStatus, now) = try await Self.post(client, "{\"documents\": [{\"user_id\": \"u2\"}]}")
                #expect(nowStatus == 200, "\(now)")
                let features = (now["predictions"] as? [[String: Any]])?.first?["features"] as? [String: Any] ?? [:]
                let tomorrow = Self.today.addingTimeInterval(Self.day)
                let u2Days = Set(
                    log.filter { $0["user_id"] == "u2" }.compactMap { event -> Int? in
                        guard case .datetime(let day)? = event["day"] else { return nil }
                        return Int((tomorrow.timeIntervalSince(day.date) / Self.day).rounded())
                    })
                #expect(features["active_days_7"] as? Double == Double(u2Days.filter { $0 <= 7 }.count))
                #expect(features["active_days_30"] as? Double == Double(u2Days.filter { $0 <= 30 }.count))
                #expect(features["recency_days"] as? Double == Double(u2Days.min() ?? 0))
                #expect((now["predictions"] as? [[String: Any]])?.first?["probability"] is Double)

                // A user with no activity in the 30 days before the cutoff has no row; a field the
                // set does not take, or a cutoff that is not a date, is refused by name.
                let (gone, goneAnswer) = try await Self.post(client, "{\"documents\": [{\"user_id\": \"u2\"}, {\"user_id\": \"u3\"}]}")
                let problems = goneAnswer["fields"] as? [[String: Any]] ?? []
                #expect(gone == 400 && problems.count == 1)
                #expect(problems.first?["instance"] as? Int == 1 && problems.first?["field"] as? String == "user_id")
                #expect((problems.first?["error"] as? String)?.contains("\"u3\"") == true, "\(goneAnswer)")
                let (extra, extraAnswer) = try await Self.post(
                    client, "{\"documents\": [{\"user_id\": \"u2\", \"days_7\": 9}, {\"user_id\": \"u2\", \"cutoff\": \"last week\"}]}")
                let fields = (extraAnswer["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                #expect(extra == 400 && fields == ["days_7", "cutoff"], "\(extraAnswer)")
                let (operatorStatus, _) = try await Self.post(client, "{\"documents\": [{\"user_id\": {\"$ne\": null}}]}")
                #expect(operatorStatus == 400)
            }
        }
    }
}
