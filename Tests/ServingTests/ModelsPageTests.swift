import EngageTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Registry
import Serving
import Testing

/// The dashboard's Models page over a trained registry: versions side by side, a comparison of
/// two, the evaluation report in the page, and refusals by name.
@Suite(.serialized, .trainedRegistry) struct ModelsPageTests {
    @Test func versionsAreComparedAndReportsShownFromTheReportsFolder() async throws {
        try await PredictionServerTests().withServer { _, _, registry in
            let reports = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID())").path
            try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: reports) }
            try Data("<html><body><h1 id='report'>tiktok_virality v2 report</h1></body></html>".utf8)
                .write(to: URL(fileURLWithPath: reports + "/tiktok_virality-v2.html"))
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.reportsFolder = reports
            let records = try await registry.list("tiktok_virality")
            let v1 = try #require(records.first { $0.version == 1 }), v2 = try #require(records.first { $0.version == 2 })
            try await PredictionServer(store: ModelStore(registry: registry), configuration: configuration).application().test(.live) {
                client in
                func get(_ path: String) async throws -> (Int, String) {
                    try await client.execute(uri: path, method: .get) { (Int($0.status.code), String(buffer: $0.body)) }
                }
                let (status, html) = try await get("/models")
                #expect(status == 200)
                #expect(html.contains("id=\"model-tiktok_virality\"") && html.contains("id=\"model-tiktok_engagement\""))
                #expect(html.contains("href=\"/models/tiktok_virality/versions/2/report\""))
                #expect(!html.contains("href=\"/models/tiktok_virality/versions/1/report\""))

                let (compared, comparison) = try await get("/models?compare=tiktok_virality&a=1&b=2")
                #expect(compared == 200)
                let metric = try #require(v1.metrics.keys.sorted().first)
                let difference = String(format: "%+.4f", (v2.metrics[metric] ?? 0) - (v1.metrics[metric] ?? 0))
                #expect(comparison.contains("<td>\(metric)</td>"))
                #expect(comparison.contains(difference))
                #expect(comparison.contains("<iframe src=\"/models/tiktok_virality/versions/2/report\""))
                #expect(comparison.components(separatedBy: "<iframe").count == 2, "v1 has no report: no empty frame")

                let (reportStatus, report) = try await get("/models/tiktok_virality/versions/2/report")
                #expect(reportStatus == 200 && report.contains("tiktok_virality v2 report"))
                #expect(try await get("/models/tiktok_virality/versions/1/report").0 == 404)
                #expect(try await get("/models/..%2F..%2Fetc%2Fpasswd/versions/1/report").0 == 404)
                let (refused, why) = try await get("/models?compare=nope&a=1&b=2")
                #expect(refused == 400 && why.contains("query parameter compare"))
            }
        }
    }
}
