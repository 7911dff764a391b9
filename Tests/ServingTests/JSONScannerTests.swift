import Testing

@testable import Serving

/// The request reader's number parsing against Swift's own correctly rounded `Double(String)`.
@Suite struct JSONScannerTests {
    /// Reads `text` as one JSON number followed by `,`, checking the scanner stops before the comma.
    private static func scan(_ text: String) throws -> Double? {
        let bytes = Array((text + ",").utf8)
        return try bytes.withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            let value = try scanner.number()
            #expect(scanner.offset == bytes.count - 1, "\(text) stopped at byte \(scanner.offset)")
            return value
        }
    }

    @Test func numbersMatchTheCorrectlyRoundedValueBitForBit() throws {
        var generator = SystemRandomNumberGenerator()
        let edges = [
            "0", "-0", "0.0", "7", "-12", "1.5", "0.000000001", "9007199254740993", "1e22", "1e23", "-2.5E-3",
            "123456789012345678901234567890", "0.12345678901234567890123", "99999999", "100000000", "12345678.87654321",
            "999999999999999999", "1000000000000000000", "18446744073709551615", "18446744073709551616.5", "4.9e-324",
        ]
        let random = (0..<20_000).map { _ in
            let integer = Self.digits(Int.random(in: 1...24, using: &generator), &generator)
            var text = (Bool.random(using: &generator) ? "-" : "") + integer
            if Bool.random(using: &generator) {
                text += "." + Self.digits(Int.random(in: 1...24, using: &generator), &generator, leadingZero: true)
            }
            if Int.random(in: 0..<4, using: &generator) == 0 { text += "e" + String(Int.random(in: -40...40, using: &generator)) }
            return text
        }
        for text in edges + random {
            let expected = try #require(Double(text))
            let value = try #require(try Self.scan(text), "\(text)")
            #expect(value.bitPattern == expected.bitPattern, "\(text): \(value) vs \(expected)")
        }
    }

    @Test func malformedNumbersNameTheirOffset() {
        for text in ["01", "-", "1.", "1.e5", "1e", "-x"] {
            #expect(throws: JSONScanner.Failure.self, "\(text)") { _ = try Self.scan(text) }
        }
    }

    /// Quotes at every offset of the eight-byte steps, escapes before and after them, and a
    /// control byte, which JSON does not allow inside a string.
    @Test func stringsEndAtTheirQuoteWhereverItFallsAndKeepEscapesAndRefuseControlBytes() throws {
        for length in 0..<40 {
            let plain = String(repeating: "k", count: length)
            for (json, decoded) in [(plain, plain), (plain + #"\"x"#, plain + "\"x"), (#"\u005f"# + plain, "_" + plain)] {
                let bytes = Array(("\"" + json + "\":1").utf8)
                let text = try bytes.withUnsafeBytes { raw in
                    var scanner = JSONScanner(raw)
                    let text = try scanner.string()
                    #expect(scanner.offset == bytes.count - 2, "\(json)")
                    return text.text
                }
                #expect(text == decoded, "\(json)")
            }
            let control = Array(("\"" + plain + "\u{01}tail\"").utf8)
            #expect(throws: JSONScanner.Failure.self, "\(length)") {
                try control.withUnsafeBytes { raw in
                    var scanner = JSONScanner(raw)
                    _ = try scanner.string()
                }
            }
        }
    }

    /// `count` random decimal digits; the first is not 0 unless `leadingZero` (or `count` is 1).
    private static func digits(_ count: Int, _ generator: inout SystemRandomNumberGenerator, leadingZero: Bool = false) -> String {
        String(
            (0..<count).map { i in
                Character(
                    String(
                        i == 0 && !leadingZero && count > 1
                            ? Int.random(in: 1...9, using: &generator) : Int.random(in: 0...9, using: &generator)))
            })
    }
}
