import EngageTestSupport
@testable import MongoKit
import Testing

@Suite("Collections on the real server")
struct CollectionTests {
    @Test("every BSON type round-trips through the server")
    func everyTypeThroughServer() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("types")
            var document: Document = ["_id": "all-types"]
            for (key, value) in ExtendedJSONTests.everyType { document[key] = value }
            try await collection.insertMany([document])
            let back = try #require(try await collection.findOne(["_id": "all-types"]))
            #expect(back == document)
        }
    }

    @Test("10,000 documents insert and read back intact")
    func tenThousand() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("raw_tiktok_videos")
            let documents = (0..<10_000).map(tiktokDocument)
            let result = try await collection.insertMany(documents)
            #expect(result.insertedCount == 10_000)
            #expect(Set(result.insertedIDs).count == 10_000)
            #expect(try await collection.countDocuments() == 10_000)
            let back = try await collection.find(
                [:], options: FindOptions(projection: ["_id": 0], sort: ["createTime": 1], batchSize: 1_000))
            #expect(back.count == 10_000)
            #expect(back == documents)
        }
    }

    @Test("find applies filter, projection, sort, skip and limit")
    func findOptions() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("videos")
            try await collection.insertMany((0..<50).map(tiktokDocument))
            let found = try await collection.find(
                ["author.verified": true],
                options: FindOptions(
                    projection: ["_id": 0, "id": 1, "stats.playCount": 1], sort: ["stats.playCount": -1], limit: 3, skip: 1))
            #expect(found.map { $0[path: "stats.playCount"] } == [.int32(4500), .int32(4200), .int32(3900)])
            #expect(found.allSatisfy { $0.keys == ["id", "stats"] })
            #expect(try await collection.countDocuments(["author.uniqueId": "user_3"]) == 5)
        }
    }

    @Test("a duplicate key is a typed error naming the document; the rest of an unordered batch is kept")
    func duplicateKey() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("movies")
            try await collection.createIndexes([IndexModel(keys: ["id": 1], unique: true)])
            try await collection.insertMany([["_id": "m1", "id": 550]])
            let batch: [Document] = [["_id": "m2", "id": 551], ["_id": "m3", "id": 550], ["_id": "m4", "id": 552]]
            let error = try await #require(throws: MongoError.self) { try await collection.insertMany(batch, ordered: false) }
            #expect(error.code == .duplicateKey)
            #expect(error.serverCode == 11000)
            #expect(error.writtenCount == 2)
            #expect(error.writeErrors.map(\.index) == [1])
            #expect(error.writeErrors.first?.documentID == #""m3""#)
            #expect(error.description.contains("insertMany \(db.name).movies failed [server 11000]"))
            #expect(error.description.contains(#"_id="m3""#))
            #expect(try await collection.countDocuments() == 3)
        }
    }

    @Test("upsert by natural key is idempotent")
    func upsertIdempotent() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("raw_tmdb_movies")
            let movies: [Document] = (1...20).map {
                ["id": BSONValue($0), "title": .string("Movie \($0)"), "budget": BSONValue($0 * 1_000_000)]
            }
            let first = try await collection.upsert(movies, key: ["id"])
            #expect(first.upserted == 20)
            #expect(first.upsertedIDs.count == 20)
            let second = try await collection.upsert(movies, key: ["id"])
            #expect(second.upserted == 0)
            #expect(second.matched == 20)
            #expect(second.modified == 0)
            var changed = movies[4]
            changed["title"] = "Renamed"
            let third = try await collection.upsert([changed], key: ["id"])
            #expect(third.modified == 1)
            #expect(try await collection.countDocuments() == 20)
            #expect(try await collection.findOne(["id": 5])?["title"] == "Renamed")
        }
    }

    @Test("bulk write mixes inserts, updates and deletes and counts each")
    func bulkWrite() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("bulk")
            let result = try await collection.bulkWrite([
                .insertOne(["k": 1]), .insertOne(["k": 2]), .insertOne(["k": 3]),
                .updateOne(filter: ["k": 1], update: ["$set": ["seen": true]], upsert: false),
                .updateMany(filter: ["k": ["$gte": 2]], update: ["$inc": ["n": 1]], upsert: false),
                .deleteOne(filter: ["k": 3]),
                .updateOne(filter: ["k": 9], update: ["$set": ["k": 9]], upsert: true),
            ])
            #expect(result.inserted == 3)
            #expect(result.matched == 3)
            #expect(result.modified == 3)
            #expect(result.deleted == 1)
            #expect(result.upserted == 1)
            #expect(result.upsertedIDs.keys.sorted() == [6])
            #expect(try await collection.countDocuments() == 3)
        }
    }

    @Test("runCommand, collection names, statistics and drop")
    func commandsAndStats() async throws {
        try await withTestDatabase { db in
            try await db.collection("b").insertMany([["x": 1], ["x": 2]])
            try await db.collection("a").insertMany([["x": 1]])
            let reply = try await db.runCommand(["ping": 1])
            #expect(reply["ok"]?.doubleValue == 1)
            #expect(try await db.collectionNames() == ["a", "b"])
            let stats = try await db.statistics()
            #expect(stats.collections.map(\.documents) == [1, 2])
            try await db.collection("a").drop()
            try await db.collection("a").drop()  // dropping again is fine
            #expect(try await db.collectionNames() == ["b"])
        }
    }

    @Test("a streaming cursor reads documents one at a time")
    func cursor() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("videos")
            try await collection.insertMany((0..<300).map(tiktokDocument))
            let (count, sum) = try await collection.withCursor(find: [:], options: FindOptions(batchSize: 50)) {
                (cursor) throws(MongoError) in
                var count = 0
                var sum = 0.0
                while let document = try cursor.next() {
                    count += 1
                    sum += document[path: "stats.playCount"]?.doubleValue ?? 0
                }
                return (count, sum)
            }
            #expect(count == 300)
            #expect(sum == Double((0..<300).reduce(0, +) * 100))
        }
    }

    @Test("a cursor with no batch size asks for about 1 MiB per reply; a chosen size is kept")
    func cursorSizesBatches() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("videos")
            let padding = String(repeating: "x", count: 4_000)
            try await collection.insertMany((0..<300).map { ["n": .int32(Int32($0)), "desc": .string(padding)] })
            let documentBytes = try #require(try await collection.findOne()).bsonBytes().count
            let (sized, sizedCount) = try await collection.withCursor(find: [:]) { (cursor) throws(MongoError) in
                var count = 0
                while try cursor.next() != nil { count += 1 }
                return (cursor.batchSize, count)
            }
            #expect(sizedCount == 300)
            #expect(sized == MongoCursor.targetBatchBytes / documentBytes)
            let (chosen, chosenCount) = try await collection.withCursor(find: [:], options: FindOptions(batchSize: 50)) {
                (cursor) throws(MongoError) in
                var count = 0
                while try cursor.next() != nil { count += 1 }
                return (cursor.batchSize, count)
            }
            #expect(chosenCount == 300)
            #expect(chosen == 50)
        }
    }
}
