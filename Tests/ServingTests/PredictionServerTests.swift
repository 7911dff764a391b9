import EngageML
import EngageTestSupport
import Features
import Foundation
import Hashing
import Hummingbird
import HummingbirdTesting
import MongoKit
import Registry
import Serving
import Testing
import Training

/// The serving suites' registry, trained once around a suite instead of once per test: 200
/// synthetic TikTok videos, both TikTok feature sets built, two versions of `tiktok_virality`
/// (tree, then logistic) and one of `tiktok_engagement` (ridge), version 1 production. Its database
/// is dropped when the suite ends. A test that changes it (moves an alias, corrupts an artifact)
/// puts it back before it ends; each test still gets a server and a model store of its own.
struct TrainedRegistry: SuiteTrait, TestScoping {
    /// Where the suite's registry lives.
    struct Fixture: Sendable {
        let database: String
        let folder: String
    }

    /// The fixture of the suite running, nil outside one.
    @TaskLocal static var current: Fixture?

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            try await Self.train(database, folder: folder)
            try await Self.$current.withValue(Fixture(database: database.name, folder: folder)) { try await function() }
        }
    }

    /// Builds the features and trains the three versions into `database` and `folder`.
    static func train(_ database: MongoDatabase, folder: String) async throws {
        try await database.collection("raw_tiktok_videos").insertMany(syntheticVideos(200))
        let registry = ModelRegistry(database: database, folder: folder)
        let trainer = ModelTrainer(database: database, registry: registry)
        for name in ["tiktok_virality", "tiktok_engagement"] {
            _ = try await FeatureBuilder(database: database, set: try FeatureCatalog.set(name)).build()
        }
        let split = try SplitRule(parsing: "hash:0.25")
        _ = try await trainer.train(
            set: try FeatureCatalog.set("tiktok_virality"), algorithm: try AlgorithmSpec(name: "tree", parameters: ["max_depth": "3"]),
            split: split)
        _ = try await trainer.train(
            set: try FeatureCatalog.set("tiktok_virality"), algorithm: try AlgorithmSpec(name: "logistic"), split: split)
        _ = try await trainer.train(
            set: try FeatureCatalog.set("tiktok_engagement"), algorithm: try AlgorithmSpec(name: "ridge"), split: split)
        try await registry.promote("tiktok_virality", version: 1, alias: "production")
    }
}

extension Trait where Self == TrainedRegistry {
    /// Trains the serving registry once around the suite (see ``TrainedRegistry``).
    static var trainedRegistry: Self { TrainedRegistry() }
}

/// The prediction server over real HTTP on loopback, with models trained and registered in the
/// real database: answers, errors for bad input, aliases, and a hot swap when an alias moves.
@Suite(.serialized, .trainedRegistry) struct PredictionServerTests {
    static let features = [
        "log_followers", "log_following", "verified", "duration_s", "hashtag_count", "generic_hashtag", "music_original",
        "hour", "weekday", "evening", "description_length", "author_prior_median_log_views", "author_prior_videos",
    ]

    /// A server on the suite's ``TrainedRegistry`` (or, outside such a suite, on one trained for
    /// this call alone), with a model store of its own.
    func withServer(
        logSample: Double = 0, _ body: @Sendable (any TestClientProtocol, ModelStore, ModelRegistry) async throws -> Void
    ) async throws {
        guard let fixture = TrainedRegistry.current else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID())").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try await withTestDatabase { database in
                try await TrainedRegistry.train(database, folder: folder)
                try await serve(ModelRegistry(database: database, folder: folder), logSample: logSample, body)
            }
            return
        }
        try await MongoClient.withClient(try testConfiguration()) { client in
            try await serve(ModelRegistry(database: client.database(fixture.database), folder: fixture.folder), logSample: logSample, body)
        }
    }

    private func serve(
        _ registry: ModelRegistry, logSample: Double,
        _ body: @Sendable (any TestClientProtocol, ModelStore, ModelRegistry) async throws -> Void
    ) async throws {
        let store = ModelStore(registry: registry)
        await store.refresh()
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.maxBodyBytes = 64 * 1024
        configuration.maxInstances = 50
        configuration.predictionLogSampleRate = logSample
        try await PredictionServer(store: store, configuration: configuration).application().test(.live) { client in
            try await body(client, store, registry)
        }
    }

    static func instance(_ overrides: [String: String] = [:]) -> String {
        let pairs = features.map { name in "\"\(name)\": \(overrides[name] ?? "1")" }
        return "{" + pairs.joined(separator: ", ")
            + overrides.filter { !features.contains($0.key) }.map { ", \"\($0.key)\": \($0.value)" }.joined() + "}"
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String) async throws -> (Int, [String: Any]) {
        try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) {
            response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return (response.status.code, object)
        }
    }

    @Test func answersPredictionsAndNamesTheConcreteVersion() async throws {
        try await withServer { client, _, _ in
            let live = try await client.execute(uri: "/v2/health/live", method: .get) { $0.status.code }
            #expect(live == 200)
            let (status, body) = try await Self.post(
                client, "/v1/models/tiktok_virality/predict",
                "{\"instances\": [\(Self.instance()), \(Self.instance(["log_followers": "12"]))]}")
            #expect(status == 200)
            let model = body["model"] as? [String: Any]
            #expect(model?["name"] as? String == "tiktok_virality" && model?["version"] as? Int == 1)
            let predictions = body["predictions"] as? [[String: Any]] ?? []
            #expect(predictions.count == 2)
            #expect(predictions.allSatisfy { ($0["probability"] as? Double).map { (0...1).contains($0) } == true && $0["label"] != nil })
            // Every class's probability, as predict_proba: they sum to 1 and the label's is `probability`.
            for prediction in predictions {
                let probabilities = prediction["probabilities"] as? [String: Double] ?? [:]
                #expect(probabilities.keys.sorted() == ["0", "1"])
                #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-12)
                let label = (prediction["label"] as? Double).map { String(Int($0)) } ?? ""
                #expect(probabilities[label] == prediction["probability"] as? Double)
            }

            let (aliasStatus, aliasBody) = try await Self.post(
                client, "/v1/models/tiktok_virality/versions/production/predict", "{\"instances\": [\(Self.instance())]}")
            #expect(aliasStatus == 200 && (aliasBody["model"] as? [String: Any])?["version"] as? Int == 1)
            let (pinnedStatus, pinnedBody) = try await Self.post(
                client, "/v1/models/tiktok_virality/versions/2/predict", "{\"instances\": [\(Self.instance())]}")
            #expect(pinnedStatus == 200 && (pinnedBody["model"] as? [String: Any])?["version"] as? Int == 2)
            let (_, regression) = try await Self.post(
                client, "/v1/models/tiktok_engagement/predict", "{\"instances\": [\(Self.instance())]}")
            #expect(((regression["predictions"] as? [[String: Any]])?.first?["value"] as? Double) != nil)

            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(
                metrics.contains("engage_requests_total{route=\"/v1/models/{model}/predict\",model=\"tiktok_virality\",status=\"200\"}"))
        }
    }

    @Test func badInputIsA4xxThatSaysWhy() async throws {
        try await withServer { client, _, _ in
            let (unknown, _) = try await Self.post(client, "/v1/models/nope/predict", "{\"instances\": [\(Self.instance())]}")
            #expect(unknown == 404)
            let (unknownVersion, _) = try await Self.post(
                client, "/v1/models/tiktok_virality/versions/9/predict", "{\"instances\": [\(Self.instance())]}")
            #expect(unknownVersion == 404)
            let (malformed, malformedBody) = try await Self.post(client, "/v1/models/tiktok_virality/predict", "{\"instances\": [")
            #expect(malformed == 400 && (malformedBody["error"] as? String)?.contains("not valid JSON") == true)
            let bad = "{\"instances\": [\(Self.instance(["hour": "\"late\"", "extra": "3"])), {\"verified\": 1}]}"
            let (fields, fieldsBody) = try await Self.post(client, "/v1/models/tiktok_virality/predict", bad)
            #expect(fields == 400)
            let problems = fieldsBody["fields"] as? [[String: Any]] ?? []
            #expect(
                problems.contains {
                    $0["instance"] as? Int == 0 && $0["field"] as? String == "hour" && $0["error"] as? String == "not a number"
                })
            #expect(
                problems.contains {
                    $0["instance"] as? Int == 0 && $0["field"] as? String == "extra" && $0["error"] as? String == "unknown field"
                })
            #expect(
                problems.contains {
                    $0["instance"] as? Int == 1 && $0["field"] as? String == "log_followers" && $0["error"] as? String == "missing"
                })
            let tooMany = "{\"instances\": [" + Array(repeating: Self.instance(), count: 51).joined(separator: ",") + "]}"
            let (many, _) = try await Self.post(client, "/v1/models/tiktok_virality/predict", tooMany)
            #expect(many == 400)
            let huge = "{\"instances\": [\(Self.instance())], \"pad\": \"" + String(repeating: "x", count: 70_000) + "\"}"
            let (large, _) = try await Self.post(client, "/v1/models/tiktok_virality/predict", huge)
            #expect(large == 413)
        }
    }

    /// Issue 16: a null feature was a 400 though training imputed missing values. A null is now
    /// imputed as training did (the ridge model's median fill); an absent feature stays a 400.
    @Test func aNullFeatureIsImputedAsInTraining() async throws {
        try await withServer { client, _, registry in
            let artifact = try await registry.load("tiktok_engagement", reference: "1")
            let index = try #require(artifact.features.firstIndex(of: "author_prior_median_log_views"))
            guard case .numeric(_, let fill?, _, _) = artifact.pipeline.preprocessor.steps[index] else {
                Issue.record("the ridge pipeline has no fill for author_prior_median_log_views")
                return
            }
            let body =
                "{\"instances\": [\(Self.instance(["author_prior_median_log_views": "null"])), "
                + "\(Self.instance(["author_prior_median_log_views": "\(fill)"]))]}"
            let (status, answer) = try await Self.post(client, "/v1/models/tiktok_engagement/versions/1/predict", body)
            let values = (answer["predictions"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? Double }
            #expect(status == 200 && values.count == 2)
            #expect(values.first == values.last, "\(values)")
            // A tree takes the null down its missing-value branch: answered, not refused.
            let (tree, treeAnswer) = try await Self.post(
                client, "/v1/models/tiktok_virality/versions/1/predict",
                "{\"instances\": [\(Self.instance(["author_prior_median_log_views": "null"]))]}")
            #expect(tree == 200 && (treeAnswer["predictions"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func theInstanceReaderTakesAnyValidJSONAndNamesEveryBadField() async throws {
        try await withServer { client, _, _ in
            let spaced = Self.instance(["verified": "true", "music_original": "false"]).replacingOccurrences(of: ", ", with: " ,\n\t ")
                .replacingOccurrences(of: "\"log_followers\"", with: "\"log\\u005ffollowers\"")
            let (status, body) = try await Self.post(client, "/v1/models/tiktok_virality/predict", " {\n \"instances\" : [ \(spaced) ] } ")
            #expect(status == 200 && (body["predictions"] as? [[String: Any]])?.count == 1)

            // Keys in the model's order take the reader's fast path, reversed ones the lookup by name:
            // with a different value in every feature, both must give the same answer.
            let distinct = Dictionary(uniqueKeysWithValues: Self.features.enumerated().map { ($1, String($0 + 2)) })
            let reversed = "{" + Self.features.reversed().map { "\"\($0)\": \(distinct[$0]!)" }.joined(separator: ", ") + "}"
            let (orderStatus, orderBody) = try await Self.post(
                client, "/v1/models/tiktok_engagement/predict",
                "{\"instances\": [\(Self.instance(distinct)), \(reversed), \(Self.instance())]}")
            let answers = (orderBody["predictions"] as? [[String: Any]] ?? []).map { $0["value"] as? Double }
            #expect(orderStatus == 200 && answers.count == 3)
            #expect(answers.first == answers.dropFirst().first && answers.first != answers.last, "\(answers)")

            let withoutHour: String = "{" + Self.features.filter { $0 != "hour" }.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}"
            let bad =
                "{\"instances\": ["
                + [
                    withoutHour,
                    Self.instance(["hour": "{\"a\": [1, {\"b\": null}]}", "weekday": "1e999"]),
                    "[1, 2]",
                    "{" + Self.instance().dropFirst().dropLast() + ", \"evening\": 0}",
                ].joined(separator: ",") + "]}"
            let (fields, fieldsBody) = try await Self.post(client, "/v1/models/tiktok_virality/predict", bad)
            #expect(fields == 400)
            let problems = (fieldsBody["fields"] as? [[String: Any]] ?? []).map {
                "\($0["instance"] ?? "?") \($0["field"] ?? "?") \($0["error"] ?? "?")"
            }
            #expect(
                problems.sorted() == [
                    "0 hour missing", "1 hour not a number", "1 weekday not finite", "2 (instance) not an object", "3 evening given twice",
                ])

            for (text, message) in [
                ("{\"instances\": []}", "instances is empty"),
                ("{\"rows\": []}", "unknown key \"rows\""),
                ("[1]", "expected a JSON object at byte 0"),
                ("{\"instances\": [\(Self.instance())], \"x\": 1}", "only one key"),
                ("{\"instances\": [\(Self.instance(["hour": "01"]))]}", "expected a number"),
            ] {
                let (code, answer) = try await Self.post(client, "/v1/models/tiktok_virality/predict", text)
                #expect(code == 400 && (answer["error"] as? String)?.contains(message) == true, "\(text) → \(answer)")
            }
        }
    }

    @Test func explainGivesContributionsThatAddUpToTheAnswer() async throws {
        try await withServer { client, _, _ in
            let body = "{\"instances\": [\(Self.instance()), \(Self.instance(["log_followers": "12", "hour": "20"]))]}"
            let positive = { (p: [String: Any]) -> Double in
                p["label"] as! Double == 1 ? p["probability"] as! Double : 1 - (p["probability"] as! Double)
            }
            let sigmoid = { (z: Double) -> Double in 1 / (1 + exp(-z)) }
            for (path, score, link) in [
                ("/v1/models/tiktok_virality/versions/2/predict", positive, sigmoid),
                ("/v1/models/tiktok_virality/versions/1/predict", positive, { $0 }),
                ("/v1/models/tiktok_engagement/predict", { p in p["value"] as! Double }, { $0 }),
            ] {
                let (status, answer) = try await Self.post(client, path + "?explain=true", body)
                #expect(status == 200)
                for prediction in answer["predictions"] as? [[String: Any]] ?? [] {
                    let explanation = prediction["explanation"] as? [String: Any] ?? [:]
                    let contributions = explanation["contributions"] as? [String: Double] ?? [:]
                    #expect(Set(contributions.keys) == Set(Self.features))
                    let total = (explanation["baseline"] as? Double ?? .nan) + contributions.values.reduce(0, +)
                    #expect(abs(link(total) - score(prediction)) < 1e-9, "\(path): \(explanation)")
                }
            }
            let (_, plain) = try await Self.post(client, "/v1/models/tiktok_engagement/predict", body)
            #expect((plain["predictions"] as? [[String: Any]])?.first?["explanation"] == nil)
        }
    }

    /// A raw TikTok-Api item, as a client would send it for a post not yet published.
    static func tiktokItem(author: String, postedAt seconds: Int, followers: Int = 5_000) -> String {
        """
        {"id": "7300000000000000001", "createTime": \(seconds), "desc": "new dance #fyp #dance",
         "author": {"id": "\(author)", "uniqueId": "\(author)", "verified": true},
         "authorStats": {"followerCount": \(followers), "followingCount": 10},
         "music": {"id": "1", "title": "original sound", "original": true}, "video": {"duration": 15},
         "challenges": [{"title": "fyp"}, {"title": "dance"}]}
        """
    }

    @Test func rawDocumentsAreFeaturizedByTheSetsDefinitionsWithPointInTimeHistory() async throws {
        try await withServer { client, _, registry in
            let later = 1_780_000_000 + 300 * 3_600  // after every stored video
            let body =
                "{\"documents\": [\(Self.tiktokItem(author: "a3", postedAt: later)), \(Self.tiktokItem(author: "a3", postedAt: 1_700_000_000)), \(Self.tiktokItem(author: "newcomer", postedAt: later))]}"
            let (status, answer) = try await Self.post(client, "/v1/models/tiktok_virality/predict", body)
            #expect(status == 200, "\(answer)")
            let predictions = answer["predictions"] as? [[String: Any]] ?? []
            let features = predictions.map { $0["features"] as? [String: Any] ?? [:] }
            try #require(features.count == 3)
            #expect(features[0]["log_followers"] as? Double == log1p(5_000))
            #expect(
                features[0]["hashtag_count"] as? Double == 2 && features[0]["generic_hashtag"] as? Double == 1
                    && features[0]["verified"] as? Double == 1)

            // History: a3 posted 10 of the 200 stored videos; none before 2023; the newcomer none.
            let stored = try await registry.database.collection("raw_tiktok_videos").find(["author.id": "a3"])
            let logViews = stored.compactMap { $0[path: "stats.views"]?.doubleValue }.map { log1p($0) }.sorted()
            #expect(features[0]["author_prior_videos"] as? Double == 10)
            let median = try #require(features[0]["author_prior_median_log_views"] as? Double)
            #expect(median >= logViews[3] && median <= logViews[6])
            #expect(features[1]["author_prior_videos"] as? Double == 0 && features[1]["author_prior_median_log_views"] is NSNull)
            #expect(features[2]["author_prior_videos"] as? Double == 0)

            // The same features sent as instances give the same answer.
            let instances = features.map { row in
                "{" + Self.features.map { "\"\($0)\": \((row[$0] as? Double).map { String($0) } ?? "null")" }.joined(separator: ",") + "}"
            }
            let (_, again) = try await Self.post(client, "/v1/models/tiktok_virality/predict", "{\"instances\": [\(instances[0])]}")
            #expect(
                (again["predictions"] as? [[String: Any]])?.first?["probability"] as? Double == predictions[0]["probability"] as? Double)

            let broken = "{\"documents\": [\(Self.tiktokItem(author: "a3", postedAt: later)), {\"id\": \"73\", \"desc\": \"no time\"}]}"
            let (bad, badAnswer) = try await Self.post(client, "/v1/models/tiktok_virality/predict", broken)
            #expect(bad == 400)
            let problem = (badAnswer["fields"] as? [[String: Any]])?.first
            #expect(problem?["instance"] as? Int == 1 && problem?["field"] as? String == "createTime")
        }
    }

    @Test func theSampledPredictionLogRecordsAnsweredRequestsOffThePath() async throws {
        try await withServer(logSample: 1) { client, _, registry in
            let bodies = [
                "{\"instances\": [\(Self.instance())]}", "{\"instances\": [\(Self.instance()), \(Self.instance(["hour": "3"]))]}",
            ]
            for body in bodies { #expect(try await Self.post(client, "/v1/models/tiktok_virality/predict", body).0 == 200) }
            #expect(try await Self.post(client, "/v1/models/tiktok_virality/predict", "{\"instances\": [{}]}").0 == 400)
            let log = registry.database.collection("predictions")
            var entries: [Document] = []
            for _ in 0..<100 where entries.count < 2 {
                try await Task.sleep(for: .milliseconds(100))
                entries = try await log.find()
            }
            #expect(entries.count == 2)
            let byHash = Dictionary(
                uniqueKeysWithValues: entries.compactMap { entry in entry["input_sha256"]?.stringValue.map { ($0, entry) } })
            for body in bodies {
                let entry = try #require(byHash[SHA256.hex(Array(body.utf8))])
                #expect(entry["model"] == "tiktok_virality" && entry["version"]?.doubleValue == 1)
                #expect(entry["outputs"]?.arrayValue?.count == entry["rows"].flatMap(\.doubleValue).map(Int.init))
                #expect((entry["latency_ms"]?.doubleValue ?? 0) > 0)
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("engage_prediction_log_entries_total{outcome=\"written\"} 2"))
        }
    }

    @Test func aMovedAliasSwapsInAndABadArtifactIsRefused() async throws {
        try await withServer { client, store, registry in
            try await registry.promote("tiktok_virality", version: 2, alias: "production")
            #expect(await store.refresh() == ["tiktok_virality@2"])
            let (_, body) = try await Self.post(client, "/v1/models/tiktok_virality/predict", "{\"instances\": [\(Self.instance())]}")
            #expect((body["model"] as? [String: Any])?["version"] as? Int == 2)

            // Point production back at version 1, then corrupt its artifact: version 2 keeps serving,
            // readiness says why, and a tampered version cannot be promoted.
            try await registry.promote("tiktok_virality", version: 1, alias: "production")
            let path = "\(registry.folder)/tiktok_virality/1/model.json"
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            defer { try? original.write(to: URL(fileURLWithPath: path)) }  // the suite's registry is shared
            var bytes = original
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
            await #expect(throws: RegistryError.self) { try await registry.promote("tiktok_virality", version: 1, alias: "staging") }
            #expect(await store.refresh().isEmpty)
            let (_, still) = try await Self.post(client, "/v1/models/tiktok_virality/predict", "{\"instances\": [\(Self.instance())]}")
            #expect((still["model"] as? [String: Any])?["version"] as? Int == 2)
            let ready = try await client.execute(uri: "/v2/health/ready", method: .get) { String(buffer: $0.body) }
            #expect(ready.contains("SHA-256"))

            // Asked for by number, the refused version is a 503 with the reason, not an empty 500.
            let (refused, refusal) = try await Self.post(
                client, "/v1/models/tiktok_virality/versions/1/predict", "{\"instances\": [\(Self.instance())]}")
            #expect(refused == 503 && (refusal["error"] as? String)?.contains("SHA-256") == true, "\(refusal)")

            // Restored, the next refresh serves it and readiness forgets the problem.
            try original.write(to: URL(fileURLWithPath: path))
            #expect(await store.refresh() == ["tiktok_virality@1"])
            let healed = try await client.execute(uri: "/v2/health/ready", method: .get) { String(buffer: $0.body) }
            #expect(!healed.contains("SHA-256"), "\(healed)")
        }
    }
}

/// The Open Inference Protocol V2 routes and the bearer token.
@Suite(.serialized) struct InferenceProtocolTests {
    func withServer(token: String?, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("v2-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            try await database.collection("raw_tiktok_videos").insertMany(syntheticVideos(120))
            let set = try FeatureCatalog.set("tiktok_engagement")
            _ = try await FeatureBuilder(database: database, set: set).build()
            let registry = ModelRegistry(database: database, folder: folder)
            _ = try await ModelTrainer(database: database, registry: registry).train(
                set: set, algorithm: try AlgorithmSpec(name: "ridge"), split: try SplitRule(parsing: "hash:0.25"))
            try await registry.promote("tiktok_engagement", version: 1, alias: "production")
            let store = ModelStore(registry: registry)
            await store.refresh()
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.apiToken = token
            try await PredictionServer(store: store, configuration: configuration).application().test(.live) { client in
                try await body(client)
            }
        }
    }

    static func inferBody(rows: Int, skip: String? = nil) -> String {
        let inputs = PredictionServerTests.features.filter { $0 != skip }.map {
            "{\"name\": \"\($0)\", \"shape\": [\(rows)], \"datatype\": \"FP64\", \"data\": [\(Array(repeating: "1.5", count: rows).joined(separator: ","))]}"
        }
        return "{\"id\": \"req-1\", \"inputs\": [\(inputs.joined(separator: ","))]}"
    }

    @Test func metadataAndInferNameTheConcreteVersion() async throws {
        try await withServer(token: nil) { client in
            let metadata = try await client.execute(uri: "/v2/models/tiktok_engagement/versions/production", method: .get) { response in
                (
                    response.status.code,
                    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
                )
            }
            #expect(metadata.0 == 200)
            #expect(metadata.1["versions"] as? [String] == ["1"])
            #expect((metadata.1["inputs"] as? [[String: Any]])?.count == PredictionServerTests.features.count)
            let (status, body) = try await PredictionServerTests.post(
                client, "/v2/models/tiktok_engagement/versions/production/infer", Self.inferBody(rows: 3))
            #expect(status == 200)
            #expect(body["model_version"] as? String == "1" && body["id"] as? String == "req-1")
            let outputs = body["outputs"] as? [[String: Any]] ?? []
            #expect(outputs.first?["name"] as? String == "value" && (outputs.first?["data"] as? [Double])?.count == 3)
            let (missing, missingBody) = try await PredictionServerTests.post(
                client, "/v2/models/tiktok_engagement/infer", Self.inferBody(rows: 2, skip: "hour"))
            #expect(missing == 400)
            #expect((missingBody["fields"] as? [[String: Any]])?.first?["field"] as? String == "hour")
            let (unknown, _) = try await PredictionServerTests.post(client, "/v2/models/nope/infer", Self.inferBody(rows: 1))
            #expect(unknown == 404)
        }
    }

    @Test func theTokenGuardsModelRoutesButNotHealth() async throws {
        try await withServer(token: "s3cret") { client in
            #expect(try await client.execute(uri: "/v2/health/live", method: .get) { $0.status.code } == 200)
            #expect(try await client.execute(uri: "/v1/models", method: .get) { $0.status.code } == 401)
            let wrong = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer s3cre"]) {
                $0.status.code
            }
            #expect(wrong == 401)
            let right = try await client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer s3cret"]) {
                $0.status.code
            }
            #expect(right == 200)
        }
    }
}
