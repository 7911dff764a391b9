import EngageTestSupport
import MongoKit
import Testing

@Suite("Aggregation pipelines on the real server")
struct AggregationTests {
    @Test("$group computes per-author totals")
    func group() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("videos")
            try await collection.insertMany((0..<100).map(tiktokDocument))
            let rows = try await collection.aggregate([
                ["$group": ["_id": "$author.uniqueId", "videos": ["$sum": 1], "views": ["$sum": "$stats.playCount"]]],
                ["$sort": ["_id": 1]],
            ])
            #expect(rows.count == 10)
            let first = try #require(rows.first)
            #expect(first["_id"] == "user_0")
            #expect(first["videos"]?.int64Value == 10)
            #expect(first["views"]?.int64Value == Int64(stride(from: 0, to: 100, by: 10).reduce(0, +) * 100))
        }
    }

    @Test("$setWindowFields sees only strictly earlier documents")
    func windowFields() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("videos")
            try await collection.insertMany((0..<30).map(tiktokDocument))
            let rows = try await collection.aggregate([
                [
                    "$setWindowFields": [
                        "partitionBy": "$author.uniqueId",
                        "sortBy": ["createTime": 1],
                        "output": [
                            "priorVideos": ["$count": [:], "window": ["documents": ["unbounded", -1]]],
                            "priorMeanViews": ["$avg": "$stats.playCount", "window": ["documents": ["unbounded", -1]]],
                        ],
                    ]
                ],
                ["$match": ["author.uniqueId": "user_4"]],
                ["$sort": ["createTime": 1]],
                ["$project": ["_id": 0, "priorVideos": 1, "priorMeanViews": 1]],
            ])
            // user_4 posted videos 4, 14, 24 with 400, 1400, 2400 views.
            #expect(rows.map { $0["priorVideos"]?.int64Value } == [0, 1, 2])
            #expect(rows.map { $0["priorMeanViews"]?.doubleValue } == [nil, 400, 900])
        }
    }

    @Test("$merge writes a feature collection inside the database")
    func merge() async throws {
        try await withTestDatabase { db in
            try await db.collection("videos").insertMany((1...20).map(tiktokDocument))
            let output = try await db.collection("videos").aggregate([
                ["$project": ["_id": "$id", "rate": ["$divide": ["$stats.diggCount", "$stats.playCount"]]]],
                ["$merge": ["into": "features", "on": "_id", "whenMatched": "replace"]],
            ])
            #expect(output.isEmpty)
            #expect(try await db.collection("features").countDocuments(["rate": 0.07]) == 20)
        }
    }

    @Test("an invalid pipeline is a typed error carrying the server's reason")
    func invalidPipeline() async throws {
        try await withTestDatabase { db in
            try await db.collection("videos").insertMany([tiktokDocument(1)])
            let error = try await #require(throws: MongoError.self) {
                try await db.collection("videos").aggregate([["$bogusStage": [:]]])
            }
            #expect(error.code == .invalidPipeline)
            #expect(error.serverCode == 40324)
            #expect(error.description.contains("$bogusStage"))
            #expect(error.operation == "aggregate \(db.name).videos")
        }
    }

    @Test("numeric columns come straight from BSON into a column-major table")
    func numericColumns() async throws {
        try await withTestDatabase { db in
            let collection = db.collection("features")
            try await collection.insertMany([
                ["_id": "a", "x": 1.5, "n": ["k": .int64(7)], "flag": true, "when": .datetime(BSONDateTime(millisecondsSinceEpoch: 5))],
                ["_id": "b", "x": .int32(2), "n": ["k": "text"], "flag": false],
                ["_id": "c", "x": .null, "n": ["k": .decimal128(Decimal128("2.5")!)], "flag": .int32(3), "when": .int32(9)],
            ])
            let table = try await collection.readNumericColumns(
                pipeline: [["$sort": ["_id": 1]]], fields: ["x", "n.k", "flag", "when", "absent"], keyField: "_id")
            #expect(table.rowCount == 3)
            #expect(table.keys == ["a", "b", "c"])
            #expect(Array(table.column(named: "x")!).prefix(2) == [1.5, 2])
            #expect(table.column(0).last!.isNaN)
            #expect(table.column(1)[3] == 7)
            #expect(table.column(1)[4].isNaN)
            #expect(table.column(1)[5] == 2.5)
            #expect(Array(table.column(2)) == [1, 0, 3])
            #expect(table.column(3)[9] == 5 && table.column(3)[10].isNaN && table.column(3)[11] == 9)
            #expect(table.column(4).allSatisfy { $0.isNaN })
        }
    }
}
