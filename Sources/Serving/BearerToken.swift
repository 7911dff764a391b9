import Hummingbird

/// Requires `Authorization: Bearer <token>` on the routes it guards; the comparison takes the same
/// time whatever the first differing byte, so the token cannot be guessed byte by byte.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let given = request.headers[.authorization].flatMap(Self.credentials), Self.constantTimeEqual(given, token) else {
            var response = try json(ErrorBody(error: "missing or wrong bearer token (Authorization: Bearer …)"), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    /// The credentials of an `Authorization: Bearer <token>` value; the scheme is matched without
    /// regard to case (RFC 7235 §2.1), and spaces after it are skipped.
    static func credentials(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }), bytes[scheme.count] == UInt8(ascii: " ")
        else {
            return nil
        }
        return Array(bytes[scheme.count...].drop { $0 == UInt8(ascii: " ") })
    }

    /// Equal in length and content, looking at every byte of the longer input; the lengths are
    /// compared in full (not truncated to a byte).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: 0)
        let lengths = UInt(bitPattern: a.count) ^ UInt(bitPattern: b.count)
        for shift in stride(from: 0, to: UInt.bitWidth, by: 8) { difference |= UInt8(truncatingIfNeeded: lengths >> UInt(shift)) }
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
