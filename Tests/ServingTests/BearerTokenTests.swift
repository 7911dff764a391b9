@testable import Serving
import Hummingbird
import Testing

/// The bearer comparison itself, below what HTTP can carry (a header cannot hold NUL bytes).
@Suite struct BearerTokenTests {
    @Test func lengthsThatDifferByAMultipleOf256AreStillUnequal() {
        let token = Array("s3cret".utf8)
        #expect(BearerTokenMiddleware<BasicRequestContext>.constantTimeEqual(token, token))
        #expect(!BearerTokenMiddleware<BasicRequestContext>.constantTimeEqual(token + [UInt8](repeating: 0, count: 256), token))
        #expect(!BearerTokenMiddleware<BasicRequestContext>.constantTimeEqual([], [UInt8](repeating: 0, count: 65_536)))
    }

    @Test func theSchemeIsMatchedWithoutRegardToCase() {
        for header in ["Bearer abc", "bearer abc", "BEARER  abc"] {
            #expect(BearerTokenMiddleware<BasicRequestContext>.credentials(header) == Array("abc".utf8), "\(header)")
        }
        for header in ["Basic abc", "Bearerabc", "Bearer", ""] {
            #expect(BearerTokenMiddleware<BasicRequestContext>.credentials(header) == nil, "\(header)")
        }
    }
}
