import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Real answers of the running server, checked against `openapi.yaml`: every status and body
/// the server gives is documented with that shape, and every documented operation is exercised.
@Suite(.serialized, .trainedRegistry) struct OpenAPIContractTests {
    typealias Call = (method: String, path: String, body: String?, status: Int)

    static func check(_ client: any TestClientProtocol, _ calls: [Call], _ contract: OpenAPIContract, token: String? = nil) async throws
        -> Set<String>
    {
        var exercised = Set<String>()
        for call in calls {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let token { headers[.authorization] = "Bearer \(token)" }
            let (status, contentType, body) = try await client.execute(
                uri: call.path, method: call.method == "GET" ? .get : .post, headers: headers,
                body: call.body.map { ByteBuffer(string: $0) }
            ) { response in
                (response.status.code, response.headers[.contentType] ?? "", Data(response.body.readableBytesView))
            }
            #expect(status == call.status, "\(call.method) \(call.path)")
            let problems = contract.problems(method: call.method, path: call.path, status: status, contentType: contentType, body: body)
            #expect(problems.isEmpty, "\(call.method) \(call.path) → \(status): \(problems)")
            if let template = contract.template(for: call.path) { exercised.insert("\(call.method) \(template)") }
        }
        return exercised
    }

    @Test func everyAnswerMatchesTheSpecAndEveryOperationIsExercised() async throws {
        #expect(try OpenAPIContract().operations.count == 16)
        try await PredictionServerTests().withServer { client, _, _ in
            let contract = try OpenAPIContract()
            let instances = "{\"instances\": [\(PredictionServerTests.instance())]}"
            let document = "{\"documents\": [\(PredictionServerTests.tiktokItem(author: "a1", postedAt: 1_790_000_000))]}"
            let infer = InferenceProtocolTests.inferBody(rows: 2)
            let calls: [Call] = [
                ("GET", "/v2/health/live", nil, 200),
                ("GET", "/v2/health/ready", nil, 200),
                ("GET", "/v1/models", nil, 200),
                ("POST", "/v1/models/tiktok_virality/predict", instances, 200),
                ("POST", "/v1/models/tiktok_virality/predict?explain=true", document, 200),
                ("POST", "/v1/models/tiktok_engagement/predict?explain=true", instances, 200),
                ("POST", "/v1/models/tiktok_virality/versions/production/predict", instances, 200),
                ("POST", "/v1/models/tiktok_virality/predict", "{\"instances\": [{\"hour\": \"x\"}]}", 400),
                ("POST", "/v1/models/tiktok_virality/predict", "{\"instances\": [", 400),
                ("POST", "/v1/models/nope/predict", instances, 404),
                ("POST", "/v1/models/tiktok_virality/versions/7/predict", instances, 404),
                ("POST", "/v1/models/tiktok_virality/predict", "{\"pad\": \"" + String(repeating: "x", count: 70_000) + "\"}", 413),
                ("GET", "/v2/models/tiktok_virality", nil, 200),
                ("GET", "/v2/models/tiktok_virality/versions/2", nil, 200),
                ("GET", "/v2/models/nope", nil, 404),
                ("POST", "/v2/models/tiktok_engagement/infer", infer, 200),
                ("POST", "/v2/models/tiktok_engagement/versions/1/infer", infer, 200),
                ("POST", "/v2/models/tiktok_engagement/infer", InferenceProtocolTests.inferBody(rows: 2, skip: "hour"), 400),
                ("GET", "/metrics", nil, 200),
                // This database has no insights built; DashboardTests checks the 200 and 400 answers.
                ("GET", "/v1/insights/videos", nil, 503), ("GET", "/v1/insights/explorer", nil, 503),
                ("GET", "/v1/insights/trends", nil, 503), ("GET", "/v1/insights/rows.csv", nil, 503),
                ("GET", "/v1/insights/movies", nil, 503), ("GET", "/v1/audience", nil, 404),
            ]
            let exercised = try await Self.check(client, calls, contract)
            #expect(exercised == contract.operations, "not exercised: \(contract.operations.subtracting(exercised))")
        }
        try await InferenceProtocolTests().withServer(token: "s3cret") { client in
            let contract = try OpenAPIContract()
            _ = try await Self.check(
                client, [("GET", "/v1/models", nil, 401), ("GET", "/v2/models/tiktok_engagement", nil, 401)], contract)
            _ = try await Self.check(client, [("GET", "/v1/models", nil, 200)], contract, token: "s3cret")
        }
    }

    @Test func theCheckerRefusesAnswersTheSpecDoesNotAllow() throws {
        let contract = try OpenAPIContract()
        let extra = Data(#"{"model": {"name": "m", "version": 1}, "predictions": [{"label": 1, "probability": 1.5, "score": 2}]}"#.utf8)
        let problems = contract.problems(
            method: "POST", path: "/v1/models/m/predict", status: 200, contentType: "application/json", body: extra)
        #expect(problems.sorted() == ["$.predictions[0].probability: 1.5 > 1.0", "$.predictions[0].score: not documented"])
        #expect(
            contract.problems(
                method: "POST", path: "/v1/models/m/predict", status: 500, contentType: "application/json", body: Data("{}".utf8))
                == ["POST /v1/models/{model}/predict does not document status 500"])
        #expect(
            contract.problems(method: "GET", path: "/v3/x", status: 200, contentType: "application/json", body: Data()) == [
                "/v3/x is not documented"
            ])
    }
}
