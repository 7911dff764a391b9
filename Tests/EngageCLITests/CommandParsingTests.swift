import ArgumentParser
import Features
import Foundation
@testable import EngageCLI
import Testing

/// The command line as argument-parser tests its own examples: `parseAsRoot` on argument lists,
/// typed options, and `validate()` refusing what would crash or mislead, with a sentence naming
/// the flag. Nothing here touches a database.
@Suite struct CommandParsingTests {
    /// The message argument-parser would print for `arguments`, or nil when they parse.
    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try Engage.parseAsRoot(arguments)
            return nil
        } catch {
            return Engage.message(for: error)
        }
    }

    @Test(arguments: [
        (["serve", "--poll-seconds", "1e20"], "--poll-seconds"),
        (["serve", "--max-body-bytes", "0"], "--max-body-bytes"),
        (["serve", "--idle-timeout", "0"], "--idle-timeout"),
        (["serve", "--max-connections", "0"], "--max-connections"),
        (["serve", "--port", "70000"], "--port"),
        (["train", "--task", "tiktok_virality", "--algorithm", "forest"], "'forest'"),
        (["train", "--task", "tiktok_virality", "--algorithm", "tree", "--split", "soon"], "neither time:YYYY-MM-DD nor hash:FRACTION"),
        (["train", "--data", "x.csv", "--label", "y", "--algorithm", "tree", "--param", "depth"], "--param"),
        (["train", "--data", "x.csv", "--label", "y", "--algorithm", "tree", "--name", "../escape"], "cannot be used"),
        (["collect", "tmdb", "--api", "--base-url", "ftp://example"], "--base-url"),
        (["collect", "videos", "--from", "x.csv", "--map", "views"], "--map"),
        (["collect", "tiktok", "--from", "x.json", "--observed-at", "last tuesday"], "--observed-at expects an ISO 8601 time"),
        (["collect", "tiktok", "--from", "x.json", "--observed-at", "2999-01-01T00:00:00Z"], "is in the future"),
    ])
    func badValuesAreRefusedByName(arguments: [String], says expected: String) {
        let message = Self.refusal(arguments)
        #expect(message?.contains(expected) == true, "\(arguments) → \(message ?? "parsed")")
    }

    @Test func typedOptionsParseToTheirValues() throws {
        let train = try #require(
            try Engage.parseAsRoot([
                "train", "--task", "tmdb_hit", "--algorithm", "logistic", "--split", "time:2026-09-01", "--param", "C=0.5", "--param",
                "tol=1e-6",
            ]) as? TrainCommand)
        #expect(train.algorithm == .logistic)
        #expect(train.split.description == "time:2026-09-01")
        #expect(train.parameters.map { "\($0.key)=\($0.value)" } == ["C=0.5", "tol=1e-6"])
        let collect = try #require(try Engage.parseAsRoot(["collect", "tmdb", "--api", "--list", "discover"]) as? CollectCommand.TMDB)
        #expect(collect.list == .discover && collect.baseURL.url.host == "api.themoviedb.org")
    }

    @Test func modelReferencesReadTheDocumentedShorthand() {
        #expect(ModelsCommand.parse("tiktok_virality@2") == ("tiktok_virality", "2"))
        #expect(ModelsCommand.parse("@production") == ("", "production"))
        #expect(ModelsCommand.parse("tmdb_hit") == ("tmdb_hit", nil))
        #expect(ModelsCommand.describe(["max_depth": "8", "criterion": "gini"]) == "criterion=gini max_depth=8")
    }

    @Test func theVersionIsTheCodeVersion() {
        #expect(Engage.configuration.version == "engage 0.5.0")
    }
}

extension CommandParsingTests {
    @Test func checkFailsOnABadFileAndPassesTheGoodOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let valid = try FeatureSetFile.text(of: FeatureCatalog.set("video_virality"))
        try valid.write(toFile: "\(folder)/good.yaml", atomically: true, encoding: .utf8)
        try valid.replacingOccurrences(of: "task: classification", with: "task: guessing")
            .write(toFile: "\(folder)/bad.yaml", atomically: true, encoding: .utf8)
        var passing = try Engage.parseAsRoot(["features", "check", "\(folder)/good.yaml", "--json"])
        try passing.run()
        var failing = try Engage.parseAsRoot(["features", "check", "\(folder)/good.yaml", "\(folder)/bad.yaml"])
        #expect(throws: ExitCode(1)) { try failing.run() }
    }
}
