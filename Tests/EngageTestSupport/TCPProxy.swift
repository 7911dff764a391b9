import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP forwarder on a random loopback port in front of a real server (the test database), so a
/// test can make that server fail as a network would: ``cut()`` closes every connection and refuses
/// new ones until ``restore()``; ``refuse(containing:)`` closes any connection whose client sends a
/// message holding those bytes (a collection's name, say), leaving every other request working.
/// Nothing is simulated: the client talks to the real server through it until it is told to fail.
public final class TCPProxy: Sendable {
    struct State {
        var down = false
        var refused: [UInt8]?
        var open: [any Channel] = []
    }

    /// The port clients connect to.
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let state: NIOLockedValueBox<State>

    /// Starts forwarding `127.0.0.1:port` (the returned ``port``) to `host:targetPort`.
    public init(to host: String, port targetPort: Int) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = NIOLockedValueBox(State())
        listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let (down, refused) = state.withLockedValue { ($0.down, $0.refused) }
                guard !down else { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop).connect(host: host, port: targetPort).flatMapThrowing { outbound in
                    let client = Glue(refused: refused)
                    let server = Glue(refused: nil)
                    client.partner = server
                    server.partner = client
                    try inbound.pipeline.syncOperations.addHandler(client)
                    try outbound.pipeline.syncOperations.addHandler(server)
                    state.withLockedValue { $0.open += [inbound, outbound] }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        self.state = state
        port = listener.localAddress?.port ?? 0
    }

    /// A MongoDB URI that reaches the server through the proxy.
    public var mongoURI: String { "mongodb://127.0.0.1:\(port)/?directConnection=true" }

    /// Closes every forwarded connection and refuses new ones: the server is unreachable.
    public func cut() {
        let open = state.withLockedValue { state in
            state.down = true
            defer { state.open = [] }
            return state.open
        }
        for channel in open { channel.close(promise: nil) }
    }

    /// Accepts and forwards connections again.
    public func restore() {
        state.withLockedValue { $0.down = false }
    }

    /// From now on, a new connection whose client sends bytes containing `text` is closed at once.
    /// Existing connections are closed, so every client reconnects under the rule.
    public func refuse(containing text: String) {
        let open = state.withLockedValue { state in
            state.refused = Array(text.utf8)
            defer { state.open = [] }
            return state.open
        }
        for channel in open { channel.close(promise: nil) }
    }

    /// Stops listening and closes everything.
    public func shutdown() async throws {
        cut()
        try await listener.close()
        try await group.shutdownGracefully()
    }
}

/// One side of a forwarded connection: what it reads, its partner writes.
private final class Glue: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var partner: Glue?
    private var context: ChannelHandlerContext?
    private let refused: [UInt8]?

    init(refused: [UInt8]?) {
        self.refused = refused
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if let refused, bytes.readableBytesView.firstRange(of: refused) != nil {
            context.close(promise: nil)
            partner?.context?.close(promise: nil)
            return
        }
        partner?.context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
