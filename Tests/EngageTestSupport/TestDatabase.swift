import Foundation
import MongoKit

/// Test helpers shared by the suites that talk to the real database.
///
/// Runs `body` with a database of its own on the server `make test` started
/// (`ENGAGE_MONGODB_URI`), and drops that database afterwards, also on failure.
public func withTestDatabase(
    maxConnections: Int = 8,
    _ body: (MongoDatabase) async throws -> Void
) async throws {
    let configuration = try testConfiguration(maxConnections: maxConnections)
    try await MongoClient.withClient(configuration) { client in
        let database = client.database("test_" + UUID().uuidString.prefix(12).lowercased())
        do {
            try await body(database)
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }
}

/// The configuration of the test server; fails with the command to run when none is set.
public func testConfiguration(maxConnections: Int = 8) throws -> MongoConfiguration {
    guard let uri = ProcessInfo.processInfo.environment["ENGAGE_MONGODB_URI"] else {
        throw TestSetupError()
    }
    return try MongoConfiguration(uri: uri, maxConnections: maxConnections)
}

/// The tests were started without a database.
public struct TestSetupError: Error, CustomStringConvertible {
    /// What to run instead.
    public var description: String {
        "ENGAGE_MONGODB_URI is not set: run the tests with `make test`, which starts the embedded database"
    }
}

/// A TikTok-shaped document, as the TikTok-Api scraper returns items.
public func tiktokDocument(_ i: Int) -> Document {
    [
        "id": .string(String(7_000_000_000_000_000_000 + i)),
        "desc": .string("clip \(i) #fyp"),
        "createTime": .int64(1_700_000_000 + Int64(i) * 60),
        "stats": [
            "playCount": BSONValue(i * 100), "diggCount": BSONValue(i * 7), "shareCount": BSONValue(i % 13),
            "commentCount": BSONValue(i % 5),
        ],
        "author": ["uniqueId": .string("user_\(i % 10)"), "verified": .bool(i % 3 == 0), "followerCount": BSONValue(1000 + i)],
        "challenges": [["title": "fyp"], ["title": .string("tag\(i % 4)")]],
    ]
}

/// A file in the temporary folder holding `text`, removed by the caller's `defer`.
public func temporaryFile(_ text: String, suffix: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("engage-\(UUID().uuidString)\(suffix)").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

/// `count` normalized TikTok videos (the `raw_tiktok_videos` schema) from 20 authors, one an hour,
/// whose views follow followers and whose every third video is verified and shared more: a small
/// set with signal for the feature, training and serving suites.
public func syntheticVideos(_ count: Int) -> [Document] {
    (0..<count).map { i in
        let followers = Double(100 + (i * 7919) % 100_000)
        let views = Int64(followers * (i % 3 == 0 ? 2 : 0.5)) + Int64(i)
        return [
            "_id": .string("v\(i)"),
            "created_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(i) * 3_600_000)),
            "author": ["id": .string("a\(i % 20)"), "followers": .double(followers), "verified": .bool(i % 3 == 0)],
            "stats": [
                "views": .int64(views), "likes": .int64(views / 10), "shares": .int64(views / (i % 3 == 0 ? 20 : 200)), "comments": 1,
            ],
            "duration_s": .double(Double(10 + i % 50)), "hashtags": ["fyp"], "description": "clip",
            "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
        ]
    }
}

/// Runs `body` with a database of its own reached through a ``TCPProxy`` in front of the test
/// server, so the test can cut the connection. Operations through it wait at most 1 s for a
/// reachable server. The database is dropped afterwards over a direct connection.
public func withProxiedTestDatabase(_ body: (MongoDatabase, TCPProxy) async throws -> Void) async throws {
    let direct = try testConfiguration()
    let target = direct.hosts.split(separator: ",").first.map(String.init) ?? ""
    guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else { throw TestSetupError() }
    let proxy = try await TCPProxy(to: String(target[..<colon]), port: port)
    let name = "test_" + UUID().uuidString.prefix(12).lowercased()
    do {
        let configuration = try MongoConfiguration(uri: proxy.mongoURI, serverSelectionTimeout: .seconds(1))
        try await MongoClient.withClient(configuration) { client in try await body(client.database(name), proxy) }
    } catch {
        try? await MongoClient.withClient(direct) { try await $0.database(name).drop() }
        try? await proxy.shutdown()
        throw error
    }
    try await MongoClient.withClient(direct) { try await $0.database(name).drop() }
    try await proxy.shutdown()
}
