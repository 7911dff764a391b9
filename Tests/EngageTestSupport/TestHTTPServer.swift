import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server on a random loopback port for tests that need a real remote end
/// (as async-http-client's `HTTPBin`): each request is answered by `respond`, which sees the
/// method, path and query and may delay its answer. Requests are counted per path.
public final class TestHTTPServer: Sendable {
    /// One answer.
    public struct Reply: Sendable {
        /// The HTTP status.
        public var status: Int
        /// Extra response headers.
        public var headers: [(String, String)]
        /// The body.
        public var body: String
        /// How long to wait before answering.
        public var delay: Duration

        /// A reply with these parts.
        public init(status: Int = 200, headers: [(String, String)] = [], body: String = "", delay: Duration = .zero) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }
    }

    /// What the server received.
    public struct Request: Sendable {
        /// The HTTP method.
        public var method: String
        /// The path, without the query.
        public var path: String
        /// The query parameters.
        public var query: [String: String]
        /// The Authorization header, if sent.
        public var authorization: String?
    }

    /// The port it listens on.
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let log = NIOLockedValueBox<[Request]>([])

    /// Starts listening; call ``shutdown()`` when done.
    public init(respond: @escaping @Sendable (Request) -> Reply) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = self.log
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(respond: respond, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// The base URL, e.g. `http://127.0.0.1:54321/3`.
    public func url(_ path: String = "") -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Every request received so far.
    public var requests: [Request] { log.withLockedValue { $0 } }

    /// How many requests asked for `path`.
    public func count(_ path: String) -> Int { requests.count { $0.path == path } }

    /// Stops listening and ends its thread.
    public func shutdown() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        // @unchecked: NIO calls a handler only on its channel's event loop.
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let respond: @Sendable (Request) -> Reply
        let log: NIOLockedValueBox<[Request]>
        var head: HTTPRequestHead?

        init(respond: @escaping @Sendable (Request) -> Reply, log: NIOLockedValueBox<[Request]>) {
            self.respond = respond
            self.log = log
        }

        func send(_ reply: Reply, head: HTTPRequestHead, context: ChannelHandlerContext) {
            var headers = HTTPHeaders(reply.headers)
            headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
            headers.add(name: "Content-Type", value: "application/json")
            let status = HTTPResponseStatus(statusCode: reply.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !head.isKeepAlive { context.close(promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): self.head = head
            case .body: break
            case .end:
                guard let head else { return }
                let components = URLComponents(string: head.uri)
                let request = Request(
                    method: head.method.rawValue, path: components?.path ?? head.uri,
                    query: Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 }),
                    authorization: head.headers.first(name: "Authorization"))
                log.withLockedValue { $0.append(request) }
                let reply = respond(request)
                let bound = NIOLoopBound((handler: self, context: context, head: head, reply: reply), eventLoop: context.eventLoop)
                if reply.delay > .zero {
                    let nanoseconds = reply.delay.components.seconds * 1_000_000_000 + reply.delay.components.attoseconds / 1_000_000_000
                    context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                        bound.value.handler.send(bound.value.reply, head: bound.value.head, context: bound.value.context)
                    }
                } else {
                    send(reply, head: head, context: context)
                }
                self.head = nil
            }
        }
    }
}
