import Foundation
import NIOCore
import Testing

@testable import Serving

@Suite("The answer writer")
struct JSONWriterTests {
    @Test("strings are escaped as JSON requires and read back unchanged")
    func strings() throws {
        let text = "plain \"quoted\" back\\slash\nline\rret\ttab \u{01}\u{1F} é ✓"
        var writer = JSONWriter(capacity: 8)
        writer.raw("[")
        writer.string(text)
        writer.raw(",")
        writer.number(0.1)
        writer.raw(",")
        writer.number(3)
        writer.raw(",")
        writer.number(.infinity)
        writer.raw("]")
        let written = String(buffer: writer.buffer)
        #expect(written.contains(#"\"quoted\" back\\slash\nline\rret\ttab \u0001\u001f é ✓"#))
        let back = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [Any])
        #expect(back.first as? String == text)
        #expect(written.hasSuffix(",0.1,3,null]"))
    }
}
