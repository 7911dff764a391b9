import BSON
import Testing

/// A document holding every BSON type the collectors and pipelines use.
let everyType: Document = [
    "double": .double(3.25),
    "negativeZero": .double(-0.0),
    "int32": .int32(-42),
    "int64": .int64(9_007_199_254_740_993),
    "string": .string("héllo, 世界 \u{0} with NUL inside"),
    "bool": .bool(true),
    "null": .null,
    "date": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_714_521_600_123)),
    "objectId": .objectId(ObjectId("65f1a2b3c4d5e6f708091a2b")!),
    "array": [1, "two", 3.0, ["nested": true], [1, 2]],
    "document": ["a": ["b": ["c": "deep"]]],
    "decimal": .decimal128(Decimal128("1234.5600")!),
    "binary": .binary(BSONBinary(subtype: 0, bytes: [0, 1, 2, 255])),
    "timestamp": .timestamp(BSONTimestamp(seconds: 1_700_000_000, increment: 7)),
    "regex": .regex(BSONRegex(pattern: "^fyp", options: "i")),
    "minKey": .minKey,
    "maxKey": .maxKey,
]

/// The pure-Swift BSON layer, with no driver: encoding, decoding, paths, ids, decimals.
/// A TikTok-shaped document.
let video: Document = [
    "id": "7000000000000000003", "desc": "clip 3 #fyp", "createTime": .int64(1_700_000_180),
    "stats": ["playCount": .int32(300), "diggCount": .int32(21)], "author": ["uniqueId": "user_3"],
    "challenges": [["title": "fyp"], ["title": "tag3"]],
]

@Suite("BSON encoding in Swift")
struct BSONTests {
    @Test("every type survives encode → decode")
    func roundTrip() throws {
        let bytes = try everyType.bsonBytes()
        let decoded = try Document(bsonBytes: bytes)
        #expect(decoded == everyType)
        #expect(decoded.keys == everyType.keys)
    }

    @Test("decimal128 keeps its digits")
    func decimal() throws {
        for text in [
            "0.10", "-1E+3", "1234.5600", "0", "-0", "0E-6176", "1E+6111", "9999999999999999999999999999999999", "0.000001234",
            "1.234E-7", "NaN", "Infinity", "-Infinity", "123456789012345678901234567890.1234",
        ] {
            #expect(Decimal128(text)?.description == text, "\(text)")
        }
        #expect(Decimal128("1e3")?.description == "1E+3")
        #expect(Decimal128("+12.0")?.description == "12.0")
        #expect(Decimal128("-inf")?.description == "-Infinity")
        for bad in ["not a number", "", ".", "1.2.3", "1e", "12345678901234567890123456789012345"] {
            #expect(Decimal128(bad) == nil, "\(bad)")
        }
    }

    @Test("truncated and corrupt bytes give an error naming the offset, never a crash")
    func malformed() throws {
        let bytes = try video.bsonBytes()
        for cut in [0, 3, 4, 10, bytes.count / 2, bytes.count - 1] {
            #expect(throws: BSONError.self) { try Document(bsonBytes: Array(bytes.prefix(cut))) }
        }
        var corrupt = bytes
        corrupt[4] = 0x42  // an unknown type tag on the first element
        #expect {
            try Document(bsonBytes: corrupt)
        } throws: { error in
            (error as? BSONError)?.description.contains("unknown type 0x42") == true
        }
    }

    @Test("array elements are keyed by their decimal index, past one digit too")
    func arrayKeys() throws {
        let document: Document = ["a": .array((0..<123).map { BSONValue($0) })]
        let bytes = try document.bsonBytes()
        for index in [0, 9, 10, 11, 99, 100, 122] {
            let element: [UInt8] = [0x10] + Array(String(index).utf8) + [0] + withUnsafeBytes(of: Int32(index).littleEndian) { Array($0) }
            #expect(bytes.indices.contains { bytes[$0...].starts(with: element) }, "index \(index)")
        }
        #expect(try Document(bsonBytes: bytes) == document)
    }

    @Test("keys with NUL are refused")
    func nulKey() {
        let document: Document = ["a\u{0}b": 1]
        #expect(throws: BSONError.invalidKey("a\u{0}b")) { try document.bsonBytes() }
    }

    @Test("dotted paths resolve through documents and arrays")
    func paths() {
        #expect(video[path: "stats.playCount"] == .int32(300))
        #expect(video[path: "challenges.1.title"] == .string("tag3"))
        #expect(video[path: "challenges.9.title"] == nil)
        #expect(video[path: "stats.missing"] == nil)
    }

    /// A decoded document is an array of these elements, so their width sets what `find` allocates per field.
    @Test func elementsStayNarrow() {
        #expect(MemoryLayout<BSONValue>.size <= 17)
        #expect(MemoryLayout<(key: String, value: BSONValue)>.stride == 40)
    }

    @Test("new ObjectIds are distinct across threads and share this process's random part")
    func objectIdsFromManyThreads() async {
        let ids = await withTaskGroup(of: [ObjectId].self) { group in
            for _ in 0..<8 { group.addTask { (0..<1_000).map { _ in ObjectId() } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == 8_000)
        // Bytes 4..<9 are the per-process random value; 9..<12 the counter.
        #expect(Set(ids.map { $0.bytes[4..<9] }).count == 1)
    }

    @Test("the id an insert uses is the document's own _id wherever it stands, else a new ObjectId")
    func identifierForInsert() {
        let late: Document = ["id": 1, "id_": 2, "_ix": 3, "_id": "late"]
        #expect(late.identifierForInsert() == "late")
        let none: Document = ["id": 1, "id_": 2, "_ix": 3]
        guard case .objectId = none.identifierForInsert() else {
            Issue.record("expected a new ObjectId, got \(none.identifierForInsert())")
            return
        }
    }

    @Test("ObjectId hex round-trip and ordering by creation")
    func objectIds() {
        let a = ObjectId()
        let b = ObjectId()
        #expect(a < b)
        #expect(ObjectId(a.description) == a)
        #expect(ObjectId("xyz") == nil)
        // Bytes in, the same bytes out, and ids order as their bytes do, from the first byte to the last.
        let bytes: [UInt8] = [0x65, 0xf1, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7, 0x08, 0x09, 0x1a, 0x2b]
        #expect(ObjectId(bytes: bytes)?.bytes == bytes)
        #expect(ObjectId(bytes: bytes)?.description == "65f1a2b3c4d5e6f708091a2b")
        #expect(ObjectId(bytes: Array(bytes.prefix(11))) == nil)
        for position in bytes.indices {
            var larger = bytes
            larger[position] &+= 1
            #expect(ObjectId(bytes: bytes)! < ObjectId(bytes: larger)!)
            #expect(!(ObjectId(bytes: larger)! < ObjectId(bytes: bytes)!))
        }
    }
}
