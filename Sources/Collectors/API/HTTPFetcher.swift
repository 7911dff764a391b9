import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Logging

/// How an HTTP source is retried.
public struct RetryPolicy: Sendable {
    /// Attempts per request, the first included.
    public var attempts = 5
    /// First backoff after a 5xx or a timeout; doubled after each further failure.
    public var initialBackoff: Duration = .milliseconds(500)
    /// Longest wait honoured from a `Retry-After` header.
    public var maxRetryAfter: Duration = .seconds(60)
    /// Per-request timeout, in whole seconds (at least 1).
    public var timeout: Duration = .seconds(10)

    /// The default policy: three retries with exponential back-off, 10 s per request.
    public init() {}
}

/// GETs JSON with a bearer token, honouring `429` + `Retry-After`, retrying 5xx answers and
/// timeouts with exponential backoff. Other 4xx answers are returned to the caller, not retried.
struct HTTPFetcher: Sendable {
    let session: URLSession
    let token: String?
    let policy: RetryPolicy
    let logger: Logger

    init(token: String?, policy: RetryPolicy, logger: Logger) {
        let configuration = URLSessionConfiguration.ephemeral
        // Whole seconds: Foundation on Linux truncates a sub-second request timeout to 0 and times out at once.
        configuration.timeoutIntervalForRequest = max(1, (policy.timeout / .seconds(1)).rounded(.up))
        session = URLSession(configuration: configuration)
        self.token = token
        self.policy = policy
        self.logger = logger
    }

    /// The body and status of the final attempt; throws ``CollectError/http(url:status:reason:)``
    /// when every attempt failed with a retryable error.
    func get(_ url: URL) async throws -> (status: Int, body: Data) {
        var backoff = policy.initialBackoff
        var lastFailure = ""
        var lastStatus: Int?
        for attempt in 1...policy.attempts {
            var request = URLRequest(url: url)
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            do {
                let (body, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                lastStatus = status
                if status == 429 {
                    let header = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Retry-After")
                    let wait = min(
                        header.flatMap(Double.init).map { Duration.milliseconds(Int64($0 * 1000)) } ?? backoff, policy.maxRetryAfter)
                    lastFailure = "rate limited (429)"
                    logger.debug("rate limited, waiting", metadata: ["url": "\(url.path)", "seconds": "\(wait)"])
                    if attempt < policy.attempts { try await Task.sleep(for: wait) }
                    continue
                }
                if (500...599).contains(status) {
                    lastFailure = "server error \(status)"
                } else {
                    return (status, body)
                }
            } catch let error as URLError {
                lastFailure = error.code == .timedOut ? "timed out after \(policy.timeout)" : "\(error.localizedDescription)"
                lastStatus = nil
            }
            logger.debug("retrying", metadata: ["url": "\(url.path)", "attempt": "\(attempt)", "reason": "\(lastFailure)"])
            if attempt < policy.attempts {
                try await Task.sleep(for: backoff)
                backoff *= 2
            }
        }
        throw CollectError.http(url: url.absoluteString, status: lastStatus, reason: "\(lastFailure) after \(policy.attempts) attempts")
    }
}
