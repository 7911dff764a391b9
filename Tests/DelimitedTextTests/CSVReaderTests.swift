import DelimitedText
import Foundation
import Testing

@Suite struct CSVReaderTests {
    private func records(_ text: String, chunkSize: Int = 1 << 20) throws -> [(line: Int, fields: [String], offset: Int)] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID()).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = CSVReader(path: path)
        reader.chunkSize = chunkSize
        var out: [(Int, [String], Int)] = []
        try reader.forEachRecord { out.append(($0.line, $0.strings, $0.offset)) }
        return out
    }

    @Test(arguments: [1, 3, 1 << 20])
    func quotesNewlinesBOMAndCRLFInAnyChunking(chunkSize: Int) throws {
        let text = "\u{FEFF}id,title,views\r\n1,\"Hello, \"\"world\"\"\",10\r\n2,\"two\nlines\",\r\n\r\n3,plain,30"
        let got = try records(text, chunkSize: chunkSize)
        #expect(
            got.map(\.fields) == [
                ["id", "title", "views"], ["1", "Hello, \"world\"", "10"], ["2", "two\nlines", ""], ["3", "plain", "30"],
            ])
        #expect(got.map(\.line) == [1, 2, 3, 6])
        // Where each record's line starts in the file, the byte-order mark counted.
        #expect(got.map(\.offset) == [3, 19, 44, 62])
    }

    @Test func numbersParseOnlyWhenTheWholeFieldIsANumber() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("n-\(UUID()).csv").path
        try "1.5, 42 ,1e3,12abc,,NaN".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var values: [Double?] = []
        try CSVReader(path: path).forEachRecord { record in values = (0..<record.count).map { record.double(at: $0) } }
        #expect(values[0] == 1.5 && values[1] == 42 && values[2] == 1000)
        #expect(values[3] == nil && values[4] == nil)
    }

    @Test func unterminatedQuoteNamesItsLine() throws {
        #expect(throws: CSVError.self) { try records("a,b\n1,\"open\n2,3\n") }
        do {
            _ = try records("a,b\n1,\"open\n2,3\n")
        } catch let error as CSVError {
            #expect(error.line == 2)
            #expect(error.reason.contains("never closed"))
        }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: CSVError.self) { try CSVReader(path: "/nonexistent/file.csv").forEachRecord { _ in } }
    }
}
