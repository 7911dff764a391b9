import Foundation
import EngageTestSupport
import MongoKit
import Testing

@Suite("Client: connection strings, failures, concurrency")
struct ClientTests {
    @Test("an unreachable server fails within its timeout, naming host and port")
    func unreachable() async throws {
        let configuration = try MongoConfiguration(uri: "mongodb://127.0.0.1:9/engage", serverSelectionTimeout: .seconds(1))
        let clock = ContinuousClock()
        let start = clock.now
        let error = try await #require(throws: MongoError.self) {
            try await MongoClient.withClient(configuration) { try await $0.ping() }
        }
        // libmongoc names the setting that ended the wait, so the 1 s given here is what took effect.
        // The wall-clock bound only separates it from libmongoc's own 30 s default: tests run in
        // parallel on two cores, and a CPU-bound neighbour can delay this task's resumption by seconds.
        #expect(error.description.contains("serverSelectionTimeoutMS` expired"))
        #expect(clock.now - start < .seconds(20))
        #expect(error.code == .serverUnreachable)
        #expect(error.description.contains("127.0.0.1:9"))
    }

    @Test("a bad URI is refused up front, and the password never appears")
    func badURI() throws {
        for text in ["http://user:hunter2@host", "mongodb://user:hunter2@host:99999999", "mongodb://"] {
            let error = try #require(throws: MongoError.self) { try MongoConfiguration(uri: text) }
            #expect(error.code == .invalidURI, "\(text)")
            #expect(!error.description.contains("hunter2"))
        }
        // Credential-bearing options of a URI that does not parse are redacted too, in the URI and
        // in libmongoc's own words about it.
        for text in [
            "mongodb://host:99999999/?tlsCertificateKeyFilePassword=hunter2pass",
            "mongodb://host:99999999/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:hunter2tok,SERVICE_NAME:x",
            "mongodb://host:0/?authMechanismProperties=AWS_SESSION_TOKEN:hunter2tok",
        ] {
            let error = try #require(throws: MongoError.self) { try MongoConfiguration(uri: text) }
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
        let configuration = try MongoConfiguration(uri: "mongodb://alice:hunter2@db.example:27018/engage?authSource=admin")
        #expect(configuration.redactedURI == "mongodb://alice:****@db.example:27018/engage")
        #expect(configuration.databaseInURI == "engage")
    }

    @Test("8 concurrent tasks share a pool of 4 connections")
    func concurrentTasks() async throws {
        try await withTestDatabase(maxConnections: 4) { db in
            let collection = db.collection("concurrent")
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        let documents: [Document] = (0..<50).map { ["task": BSONValue(task), "i": BSONValue($0)] }
                        try await collection.insertMany(documents)
                        return try await collection.countDocuments(["task": BSONValue(task)])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 50, count: 8))
            #expect(try await collection.countDocuments() == 400)
            // The tasks overlapped on the pool, and never had more than its 4 connections.
            let leases = db.client.connectionLeases
            #expect(leases.inUse == 0)
            #expect((2...4).contains(leases.peak), "\(leases)")
        }
    }
}
