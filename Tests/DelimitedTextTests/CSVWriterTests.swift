import DelimitedText
import Foundation
import Testing

@Suite struct CSVWriterTests {
    @Test func whatItWritesReadsBackFieldForField() throws {
        let records: [[String]] = [
            ["title", "views"], ["Hello, \"world\"", "10"], ["two\nlines", ""], ["crlf\r\ninside", "3"], ["plain", "30"],
        ]
        var csv = CSVWriter()
        for record in records { csv.write(record.map { $0.isEmpty ? .empty : .text($0) }) }
        #expect(csv.text.hasSuffix("plain,30\r\n"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("w-\(UUID()).csv").path
        try Data(csv.text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var read: [[String]] = []
        try CSVReader(path: path).forEachRecord { read.append($0.strings) }
        #expect(read == records)
    }

    @Test func textThatWouldRunAsAFormulaStaysText() {
        var csv = CSVWriter()
        csv.write([.text("=HYPERLINK(\"http://x\")"), .text("+1"), .text("-2"), .text("@SUM(A1)"), .number("-2"), .text("a=b")])
        #expect(csv.text == "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2,'@SUM(A1),-2,a=b\r\n")
    }

    @Test func takeEmptiesTheWriterForTheNextChunk() {
        var csv = CSVWriter(delimiter: ";")
        csv.write([.text("a;b"), .number("1")])
        #expect(csv.take() == "\"a;b\";1\r\n")
        #expect(csv.text.isEmpty)
    }
}
