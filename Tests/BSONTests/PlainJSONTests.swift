import BSON
import Testing

/// Plain JSON read in pure Swift, as the TMDB 5000 CSV's JSON columns need it.
@Suite struct PlainJSONTests {
    @Test func objectsKeepTheirOrderAndNumbersTheirWidth() throws {
        let value = try BSONValue(json: #" [{"name": "Action", "id": 28}, {"big": 9007199254740993, "ratio": 0.5, "e": 1e3, "neg": -7}] "#)
        let expected: BSONValue = [
            ["name": "Action", "id": .int32(28)],
            ["big": .int64(9_007_199_254_740_993), "ratio": .double(0.5), "e": .double(1000), "neg": .int32(-7)],
        ]
        #expect(value == expected)
        guard case .array(let list) = value, case .document(let first)? = list.first else {
            Issue.record("not a list of objects: \(value)")
            return
        }
        #expect(first.keys == ["name", "id"])
    }

    @Test func textEscapesAndLiterals() throws {
        let value = try BSONValue(
            json: #"{"a": "caf\u00e9 \"q\" \\ \/ \n", "b": "\ud83c\udfac", "t": true, "f": false, "n": null, "u": "ü"}"#)
        let expected: BSONValue = ["a": "café \"q\" \\ / \n", "b": "🎬", "t": true, "f": false, "n": .null, "u": "ü"]
        #expect(value == expected)
    }

    @Test(arguments: [
        "", "[1,]", "[1 2]", "{\"a\" 1}", "[01]", "[1.]", "[tru]", "\"open", "[1] x", "{\"a\": \"\\x\"}", "[\"\u{1}\"]", "[\"\\u12G4\"]",
    ])
    func malformedTextIsRefusedWithItsOffset(_ text: String) {
        #expect(throws: BSONError.self) { try BSONValue(json: text) }
    }

    @Test func deepNestingFailsInsteadOfCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: BSONError.invalidJSON("nested deeper than 200 levels")) { try BSONValue(json: deep) }
    }
}
