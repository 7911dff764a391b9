import Foundation
@testable import SourceSchemas
import Testing

/// The digit reader of common date layouts gives exactly what the formatters it stands in for give.
@Suite struct DateTextTests {
    static func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    @Test func everyLayoutReadsAsTheFormatterWritesIt() {
        let layouts = [
            "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy/MM/dd", "MM/dd/yyyy",
            "MM/dd/yyyy HH:mm", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "yyyy-MM-dd'T'HH:mm:ssxxx",
        ].map { ($0, Self.formatter($0)) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // 1880 to 2100, to the millisecond.
            let instant = Date(
                timeIntervalSince1970: Double(Int64.random(in: -2_840_140_800_000...4_102_444_800_000, using: &random)) / 1000)
            for (layout, formatter) in layouts {
                let text = formatter.string(from: instant)
                #expect(DateText.parse(text) == formatter.date(from: text), "\(layout): \(text)")
            }
        }
        #expect(DateText.parse("2026-09-01T20:04:05+02:00") == DateText.parse("2026-09-01T18:04:05Z"))
        #expect(DateText.parse("2026-09-01T13:04:05-0500") == DateText.parse("2026-09-01T18:04:05Z"))
    }

    @Test func impossibleDatesAreLeftToTheFormattersAndTheirRefusal() {
        for text in [
            "2026-02-29", "2026-13-01", "2026-04-31", "12/31/2026 25:00", "2026-09-01T18:60", "2026-09-01X", "20260901", "yesterday", "",
        ] {
            #expect(DateText.parse(text) == nil, "\(text)")
        }
        #expect(DateText.parse("2024-02-29") != nil)
        #expect(FieldReader.parseDate("yesterday") == nil)
    }
}
