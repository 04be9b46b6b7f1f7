public import Logging
public import NIOCore
import NIOHPACK
import NIOHTTP2
public import NIOPosix
import Synchronization

/// JSON POSTs over HTTP/2 with one pooled connection per endpoint: every call opens a stream on
/// the endpoint's connection, so concurrent calls share it (PLUGINS.md §4). A connection that
/// closes (a GOAWAY, a reset, the server gone) leaves the pool, and the next call dials again.
public final class HTTP2ConnectionPool: Sendable {
    /// An endpoint: where to connect, and whether with TLS.
    public struct Endpoint: Hashable, Sendable {
        public var host: String
        public var port: Int
        public var secure: Bool

        public init(host: String, port: Int, secure: Bool = false) {
            self.host = host
            self.port = port
            self.secure = secure
        }

        var authority: String { "\(host):\(port)" }
    }

    struct Connection: Sendable {
        var channel: any Channel
        var multiplexer: NIOHTTP2Handler.StreamMultiplexer
    }

    private let group: any EventLoopGroup
    private let connectTimeout: TimeAmount
    private let responseLimit: Int
    private let tls: (any HTTP2TLSProvider)?
    private let logger: Logger
    /// Connections by endpoint, or the dial in progress that every caller of the endpoint awaits.
    private let connections = Mutex<[Endpoint: Slot]>([:])
    private let dials = Atomic<Int>(0)
    private let opened = Atomic<Int>(0)

    /// - Parameters:
    ///   - connectTimeout: how long a dial may take.
    ///   - responseLimit: the largest answer body accepted.
    ///   - tls: makes `grpcs://` connections; nil refuses them.
    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(5),
        responseLimit: Int = 16 << 20,
        tls: (any HTTP2TLSProvider)? = nil,
        logger: Logger = Logger(label: "orch8.http2")
    ) {
        self.group = group
        self.connectTimeout = .nanoseconds(
            Int64(connectTimeout.components.seconds) * 1_000_000_000
                + connectTimeout.components.attoseconds / 1_000_000_000
        )
        self.responseLimit = responseLimit
        self.tls = tls
        self.logger = logger
    }

    /// How many connections this pool has opened so far.
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    /// POSTs `body` to `path` on `endpoint`, within `timeout` for the whole call.
    public func post(
        _ endpoint: Endpoint,
        path: String,
        body: [UInt8],
        contentType: String = "application/json",
        timeout: Duration
    ) async throws(HTTP2CallError) -> HTTP2Response {
        let deadline = NIODeadline.now() + Self.timeAmount(timeout)
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let request = Request(endpoint: endpoint, path: path, body: body, contentType: contentType)
        for attempt in 0..<2 {
            let connection: Connection
            do {
                // The common case, a pooled connection, needs no race against the deadline.
                if let pooled = ready(endpoint) {
                    connection = pooled
                } else {
                    connection = try await withDeadline(deadline, milliseconds) {
                        try await self.connection(to: endpoint)
                    }
                }
            } catch let error as HTTP2CallError {
                throw error
            } catch {
                throw .connect(Self.describe(error))
            }
            do {
                return try await exchange(request, on: connection, deadline: deadline, milliseconds: milliseconds)
            } catch let error as HTTP2CallError {
                throw error
            } catch {
                // Only opening the stream fails this way (the answer fails with HTTP2CallError):
                // nothing was sent, so the call goes once more on a fresh connection. A connection
                // the server sent GOAWAY on, or one that closed meanwhile, is dropped.
                evict(endpoint, connection.channel)
                if attempt == 0 { continue }
                throw .broken(Self.describe(error))
            }
        }
        throw .broken("the connection closed twice")
    }

    /// The request's stream was refused before anything was sent.
    struct StreamNotSent: Error {
        var reason: String
    }

    struct Request: Sendable {
        var endpoint: Endpoint
        var path: String
        var body: [UInt8]
        var contentType: String
    }

    /// One stream: the request written and the answer collected by a handler on the stream's event
    /// loop, which also enforces the deadline (no task or timer per call on the Swift side).
    private func exchange(
        _ request: Request,
        on connection: Connection,
        deadline: NIODeadline,
        milliseconds: Int64
    ) async throws -> HTTP2Response {
        let limit = responseLimit
        let eventLoop = connection.channel.eventLoop
        let answer = eventLoop.makePromise(of: HTTP2Response.self)
        let created = eventLoop.makePromise(of: (any Channel).self)
        created.futureResult.whenFailure { answer.fail($0) }
        // One hop to the event loop and one back per call: the stream is set up, written and read
        // there, and only the answer is awaited.
        connection.multiplexer.createStreamChannel(promise: created) { channel in
            do {
                try channel.pipeline.syncOperations.addHandler(HTTP2ResponseHandler(promise: answer, limit: limit))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            let headers: HPACKHeaders = [
                ":method": "POST", ":scheme": request.endpoint.secure ? "https" : "http",
                ":authority": request.endpoint.authority, ":path": request.path, "content-type": request.contentType,
                "content-length": "\(request.body.count)", "user-agent": "orch8-swift",
            ]
            // A connection the server sent GOAWAY on refuses the new stream's HEADERS: nothing was
            // sent, which ``post`` retries on a fresh connection.
            let sent = channel.eventLoop.makePromise(of: Void.self)
            sent.futureResult.whenFailure { answer.fail(StreamNotSent(reason: "\($0)")) }
            channel.write(HTTP2Frame.FramePayload.headers(.init(headers: headers)), promise: sent)
            let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(ByteBuffer(bytes: request.body)), endStream: true)
            channel.writeAndFlush(HTTP2Frame.FramePayload.data(data), promise: nil)
            let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
                answer.fail(HTTP2CallError.timeout(milliseconds: milliseconds))
                channel.close(promise: nil)
            }
            answer.futureResult.whenComplete { _ in timer.cancel() }
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        return try await answer.futureResult.get()
    }

    /// Runs `body` (a dial), failing with a timeout at `deadline`.
    private func withDeadline<T: Sendable>(
        _ deadline: NIODeadline,
        _ milliseconds: Int64,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                let remaining = deadline - NIODeadline.now()
                try await Task.sleep(for: .nanoseconds(max(0, remaining.nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw HTTP2CallError.timeout(milliseconds: milliseconds)
            }
            return value
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// A pool entry: a dial in progress (which every caller of the endpoint awaits) or an open
    /// connection.
    enum Slot {
        case dialing(Task<Connection, any Error>, serial: Int)
        case ready(Connection)
    }

    /// The endpoint's open pooled connection, if there is one.
    private func ready(_ endpoint: Endpoint) -> Connection? {
        connections.withLock { connections in
            if case .ready(let connection)? = connections[endpoint], connection.channel.isActive { return connection }
            return nil
        }
    }

    /// The endpoint's pooled connection, dialled by the first caller that needs it.
    private func connection(to endpoint: Endpoint) async throws -> Connection {
        enum Found {
            case ready(Connection)
            case dialing(Task<Connection, any Error>, serial: Int)
        }
        let found = connections.withLock { connections -> Found in
            switch connections[endpoint] {
            case .ready(let connection)? where connection.channel.isActive:
                return .ready(connection)
            case .dialing(let task, let serial)?:
                return .dialing(task, serial: serial)
            case .ready?, nil:
                let serial = dials.add(1, ordering: .relaxed).newValue
                let task = Task { try await self.dial(endpoint) }
                connections[endpoint] = .dialing(task, serial: serial)
                return .dialing(task, serial: serial)
            }
        }
        switch found {
        case .ready(let connection):
            return connection
        case .dialing(let task, let serial):
            do {
                let connection = try await task.value
                connections.withLock { connections in
                    if case .dialing(_, serial)? = connections[endpoint], connection.channel.isActive {
                        connections[endpoint] = .ready(connection)
                    }
                }
                return connection
            } catch {
                // Forget a failed dial so that the next call tries again.
                connections.withLock { connections in
                    if case .dialing(_, serial)? = connections[endpoint] { connections.removeValue(forKey: endpoint) }
                }
                throw error
            }
        }
    }

    private func dial(_ endpoint: Endpoint) async throws -> Connection {
        if endpoint.secure && tls == nil {
            throw HTTP2CallError.connect("grpcs:// needs TLS, which this server was not configured for")
        }
        let tls = self.tls
        let connection = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if endpoint.secure, let tls {
                        try tls.addHandlers(to: channel, serverHostname: endpoint.host)
                    }
                    let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client,
                        connectionConfiguration: .init(),
                        streamConfiguration: .init(),
                        inboundStreamInitializer: { stream in stream.close() }
                    )
                    return Connection(channel: channel, multiplexer: multiplexer)
                }
            }
        opened.add(1, ordering: .relaxed)
        logger.debug("http2 connection opened", metadata: ["endpoint": "\(endpoint.authority)"])
        connection.channel.closeFuture.whenComplete { [weak self] _ in
            self?.evict(endpoint, connection.channel)
        }
        return connection
    }

    /// Drops the endpoint's connection if it is still `channel`.
    private func evict(_ endpoint: Endpoint, _ channel: any Channel) {
        connections.withLock { connections in
            if case .ready(let connection)? = connections[endpoint], connection.channel === channel {
                connections.removeValue(forKey: endpoint)
            }
        }
    }

    /// Closes every pooled connection.
    public func shutdown() async {
        let all = connections.withLock { connections in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        for slot in all {
            switch slot {
            case .ready(let connection): try? await connection.channel.close()
            case .dialing(let task, _): try? await task.value.channel.close()
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTP2CallError { return error.description }
        if let error = error as? IOError { return error.description }
        return String(describing: error)
    }
}

/// Adds TLS to a `grpcs://` connection's pipeline (ALPN h2, the operator's CA and client
/// certificate). Kept behind a protocol so that the pool does not depend on a TLS library.
public protocol HTTP2TLSProvider: Sendable {
    func addHandlers(to channel: any Channel, serverHostname: String) throws
}
