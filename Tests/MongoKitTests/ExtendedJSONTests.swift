import BSON
import CMongoC
import MongoKit
import Testing

/// The parts of BSON that go through libbson: extended JSON, and the pure-Swift decimal128 text
/// checked against libbson's own conversion.
@Suite("BSON through libbson")
struct ExtendedJSONTests {
    /// A document holding every BSON type the collectors and pipelines use.
    static let everyType: Document = [
        "double": .double(3.25), "negativeZero": .double(-0.0), "int32": .int32(-42), "int64": .int64(9_007_199_254_740_993),
        "string": .string("héllo, 世界 \u{0} with NUL inside"), "bool": .bool(true), "null": .null,
        "date": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_714_521_600_123)),
        "objectId": .objectId(ObjectId("65f1a2b3c4d5e6f708091a2b")!), "array": [1, "two", 3.0, ["nested": true], [1, 2]],
        "document": ["a": ["b": ["c": "deep"]]], "decimal": .decimal128(Decimal128("1234.5600")!),
        "binary": .binary(BSONBinary(subtype: 0, bytes: [0, 1, 2, 255])),
        "timestamp": .timestamp(BSONTimestamp(seconds: 1_700_000_000, increment: 7)),
        "regex": .regex(BSONRegex(pattern: "^fyp", options: "i")), "minKey": .minKey, "maxKey": .maxKey,
    ]

    @Test("relaxed and canonical extended JSON round-trip every type")
    func extendedJSON() throws {
        for mode in [ExtendedJSONMode.relaxed, .canonical] {
            let text = try Self.everyType.extendedJSON(mode)
            let parsed = try Document(extendedJSON: text)
            #expect(parsed == Self.everyType, "mode \(mode): \(text)")
        }
        let small: Document = ["n": 5, "at": .datetime(BSONDateTime(millisecondsSinceEpoch: 0))]
        let relaxed = try small.extendedJSON()
        #expect(relaxed.contains(#""n" : 5"#))
        #expect(relaxed.contains(#"{ "$date" : "1970-01-01T00:00:00Z" }"#))
    }

    @Test("invalid extended JSON is a typed error")
    func invalidJSON() {
        #expect {
            try Document(extendedJSON: #"{"a": "#)
        } throws: { error in
            if case .invalidJSON = error as? BSONError { true } else { false }
        }
    }

    @Test("the pure-Swift decimal128 text agrees with libbson's, both ways")
    func decimalAgreesWithLibbson() {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0.10", "-1E+3", "1234.5600", "0", "-0", "1E+6111", "0E-6176", "0.000001", "0.0000001", "123E-8", "NaN", "Infinity"]
        for _ in 0..<500 {
            let digits = String(UInt64.random(in: 0...UInt64.max, using: &generator) % 10_000_000_000_000)
            texts.append("\(Bool.random() ? "-" : "")\(digits)E\(Int.random(in: -40...40))")
            texts.append("\(digits.prefix(3)).\(digits.dropFirst(3))")
        }
        for text in texts {
            var value = bson_decimal128_t()
            #expect(bson_decimal128_from_string(text, &value), "\(text)")
            let ours = Decimal128(text)
            #expect(ours?.low == value.low && ours?.high == value.high, "\(text)")
            var buffer = [CChar](repeating: 0, count: 43)
            bson_decimal128_to_string(&value, &buffer)
            let theirs = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            #expect(Decimal128(low: value.low, high: value.high).description == theirs, "\(text)")
        }
    }
}
