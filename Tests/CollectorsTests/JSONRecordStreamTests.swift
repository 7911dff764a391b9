import Collectors
import EngageTestSupport
import Foundation
import SourceSchemas
import Testing

/// Every JSON layout the collectors accept, cut into records without a database.
@Suite struct JSONRecordStreamTests {
    private func records(_ text: String, chunkSize: Int = 1 << 20) throws -> [RawRecord] {
        let path = try temporaryFile(text, suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let stream = try JSONRecordStream(path: path, chunkSize: chunkSize)
        var out: [RawRecord] = []
        while let record = try stream.next() { out.append(record) }
        return out
    }

    @Test(arguments: [
        ("array", "[{\"id\": 1}, {\"id\": 2, \"s\": \"a ] } , \\\" \"}]"),
        ("json lines", "{\"id\": 1}\n{\"id\": 2, \"s\": \"a ] } , \\\" \"}"),
        ("wrapper page", "{\"page\": 1, \"results\": [{\"id\": 1}, {\"id\": 2, \"s\": \"a ] } , \\\" \"}], \"total_pages\": 9}"),
        ("itemList", "{\"hasMore\": true, \"itemList\": [{\"id\": 1}, {\"id\": 2, \"s\": \"a ] } , \\\" \"}]}"),
        ("keyed by id", "{\"1\": {\"id\": 1}, \"2\": {\"id\": 2, \"s\": \"a ] } , \\\" \"}}"),
        (
            "tiktok-scraper",
            "{\"headers\": {\"user-agent\": \"x\", \"cookie\": \"a=[1]\"}, \"collector\": [{\"id\": 1}, "
                + "{\"id\": 2, \"s\": \"a ] } , \\\" \"}], \"zip\": \"\"}"
        ),
    ])
    func layoutsYieldTheSameRecords(_ layout: String, _ text: String) throws {
        for chunkSize in [1, 7, 1 << 20] {
            let got = try records("\u{FEFF}" + text, chunkSize: chunkSize)
            #expect(got.count == 2, "\(layout) at chunk size \(chunkSize)")
            #expect(got.first?.text == "{\"id\": 1}")
            #expect(got.last?.text == "{\"id\": 2, \"s\": \"a ] } , \\\" \"}")
            #expect(got.allSatisfy { !$0.truncated })
        }
    }

    @Test func theWrapperKeyIsReportedAndAHeadersRecordStaysOneRecord() throws {
        let path = try temporaryFile("{\"headers\": {\"referer\": \"r\"}, \"collector\": [{\"id\": 1}]}", suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let stream = try JSONRecordStream(path: path)
        #expect(try stream.next()?.text == "{\"id\": 1}")
        #expect(stream.wrapperKey == "collector")
        // An object whose first field is a headers object, and no records array: one record.
        let single = try records("{\"headers\": {\"a\": 1}, \"id\": 7, \"stats\": {\"playCount\": 3}}")
        #expect(single.count == 1 && single.first?.text.hasPrefix("{\"headers\"") == true)
    }

    @Test func singleRecordAndKeys() throws {
        let single = try records("{\"id\": 5, \"genres\": [{\"id\": 1}], \"belongs_to_collection\": {\"id\": 3}}")
        #expect(single.count == 1)
        let keyed = try records("{\"414906\": {\"title\": \"x\", \"details\": {\"id\": 414906}}}")
        #expect(keyed.first?.position.key == "414906")
    }

    @Test func truncatedFileKeepsWhatCameBefore() throws {
        let got = try records("[{\"id\": 1},\n {\"id\": 2},\n {\"id\": 3, \"title\": \"cut he")
        #expect(got.count == 3)
        #expect(got[0].truncated == false && got[1].truncated == false)
        #expect(got[2].truncated)
        #expect(got[2].position.line == 3)
        #expect(got[2].position.index == 2)
    }
}
