import Features
import Foundation
import Testing

@Suite struct FeatureSetFileTests {
    /// Each built-in set's definition hash when the sets were still declared in Swift. The hash covers
    /// the whole aggregation (filter, preparation, history, features, label, scores), so equal hashes
    /// mean the files build the same rows, and stored rows and trained models stay current.
    static let hashesBeforeTheMoveToFiles = [
        "tiktok_virality": "593dcaf1fd7263a36b02af34ca89c62d2543c03615c85b03e56f04fa79131823",
        "tiktok_engagement": "aea23490a7e1c821560895eeb98bffef1b7fd4d99b03628fe6bacb6d65eeee13",
        "tmdb_hit": "4e26ca69a1f9e0e906ab1bb8bc60585d9168fa6ec4bdfb1e07f69df6acfd4692",
        "tmdb_revenue": "3dd49ec593ebb469ea78a942d9cc4b4a197eeb2ef78519e35a5a051ae057c755",
        "creator_segments": "f9baffcfcb13220754ebdf0ed1971338b768a4b504d90521ae20dfbb419ea94a",
        "video_virality": "86b0dc4114ac0505247dcd84683afea440bac84433c9472a325458a72e9253df",
        "video_engagement": "cc4f1596ab2030c0a5b08fa89fbdc904a74100a947fc8027c4bd5046254c2021",
    ]

    /// Sets added as files since, at their first version.
    static let hashesOfLaterSets = ["user_churn": "e372530d1518aadd788dade7fd93164f1772cbce840acbf755053847ff15559b"]

    @Test(arguments: FeatureCatalog.names) func everyBuiltInFileDeclaresWhatTheSwiftCatalogDid(name: String) throws {
        let hash = try FeatureCatalog.set(name).definitionHash
        #expect(hash == (Self.hashesBeforeTheMoveToFiles[name] ?? Self.hashesOfLaterSets[name]), "\(name): \(hash)")
    }

    @Test(arguments: FeatureCatalog.names) func everyBuiltInSetSurvivesWritingAndReading(name: String) throws {
        let set = try FeatureCatalog.set(name)
        let read = try FeatureSetFile.parse(try FeatureSetFile.text(of: set), file: "\(name).yaml")
        #expect(read == set)
        #expect(read.definitionHash == set.definitionHash)
    }
}

extension FeatureSetFileTests {
    static let valid = """
        name: my_videos
        version: 1
        task: regression
        source: raw_videos
        time_field: published_at
        outcome_fields: [views, likes]
        features:
          duration_s: duration_s
          hour: {hour: published_at}
        label: {log1p: views}
        """

    func problem(_ text: String) -> FeatureFileError? {
        do {
            _ = try FeatureSetFile.parse(text, file: "features/my_videos.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidFileReadsAsTheSetItDeclares() throws {
        let set = try FeatureSetFile.parse(Self.valid, file: "features/my_videos.yaml")
        #expect(set.name == "my_videos" && set.task == .regression && set.source == "raw_videos")
        #expect(set.featureNames == ["duration_s", "hour"])
        #expect(set.label == .log1p(.field("views")))
        #expect(set.outcomeFields == ["views", "likes"])
    }

    @Test func eachProblemNamesTheFileLineAndKey() throws {
        let wrongType = try #require(problem(Self.valid.replacingOccurrences(of: "version: 1", with: "version: one")))
        #expect(wrongType.line == 2 && wrongType.key == "version")
        #expect(wrongType.description.hasPrefix("features/my_videos.yaml:2:"))

        let unknownOperator = try #require(
            problem(Self.valid.replacingOccurrences(of: "{hour: published_at}", with: "{hours: published_at}")))
        #expect(unknownOperator.line == 9 && unknownOperator.key == "features.hour")
        #expect(unknownOperator.problem.contains("hours"))

        let leaking = try #require(problem(Self.valid.replacingOccurrences(of: "duration_s: duration_s", with: "duration_s: likes")))
        #expect(leaking.line == 8 && leaking.key == "features.duration_s")
        #expect(leaking.problem.contains("outcome"))

        let missing = try #require(problem(Self.valid.replacingOccurrences(of: "source: raw_videos\n", with: "")))
        #expect(missing.problem.contains("source") && missing.problem.contains("required"))

        let duplicated = try #require(
            problem(Self.valid.replacingOccurrences(of: "label:", with: "  hour: {weekday: published_at}\nlabel:")))
        #expect(duplicated.line != nil && duplicated.problem.contains("hour given twice"), "\(duplicated)")

        let syntax = try #require(problem(Self.valid.replacingOccurrences(of: "[views, likes]", with: "[views, likes")))
        #expect(syntax.line != nil && syntax.problem.contains("not valid YAML"))

        let badPath = try #require(problem(Self.valid.replacingOccurrences(of: "duration_s: duration_s", with: "duration_s: $where")))
        #expect(badPath.key == "features.duration_s" && badPath.line == 8)

        let cutoffs = "cutoffs: {entity: user_id, field: cutoff, at: [\"2026-09-31\"]}\nfeatures:"
        let badCutoff = try #require(problem(Self.valid.replacingOccurrences(of: "features:", with: cutoffs)))
        #expect(badCutoff.line == 7 && badCutoff.key == "cutoffs.at" && badCutoff.problem.contains("2026-09-31 is not a date"))
        let noPreparation = try #require(
            problem(Self.valid.replacingOccurrences(of: "features:", with: cutoffs.replacingOccurrences(of: "09-31", with: "09-30"))))
        #expect(noPreparation.problem.contains("preparation must build the rows"), "\(noPreparation)")
    }

    @Test func jsonIsReadAsWell() throws {
        let json = """
            {"name": "tiny", "version": 2, "task": "clustering", "source": "raw_videos", "time_field": "published_at",
             "features": {"duration_s": "duration_s", "tags": {"array_size": "hashtags"}}}
            """
        let set = try FeatureSetFile.parse(json, file: "tiny.json")
        #expect(set.version == 2 && set.task == .clustering && set.label == nil)
        #expect(set.features[1].expression == .arraySize("hashtags"))
    }
}
