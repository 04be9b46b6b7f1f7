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
        var multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>
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
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let outcome = await withTaskGroup(of: Result<HTTP2Response, HTTP2CallError>?.self) { group in
            group.addTask { await self.call(endpoint, path: path, body: body, contentType: contentType) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .failure(.timeout(milliseconds: milliseconds))
            }
            defer { group.cancelAll() }
            for await result in group {
                if let result { return result }
            }
            return .failure(.timeout(milliseconds: milliseconds))
        }
        return try outcome.get()
    }

    /// One call; a stream that cannot be opened on a pooled connection (it closed meanwhile) is
    /// tried once more on a fresh one.
    private func call(
        _ endpoint: Endpoint,
        path: String,
        body: [UInt8],
        contentType: String
    ) async -> Result<HTTP2Response, HTTP2CallError> {
        for attempt in 0..<2 {
            let connection: Connection
            do {
                connection = try await self.connection(to: endpoint)
            } catch {
                return .failure(.connect(Self.describe(error)))
            }
            do {
                return .success(
                    try await exchange(on: connection, endpoint, path: path, body: body, contentType: contentType)
                )
            } catch let error as HTTP2CallError {
                return .failure(error)
            } catch {
                evict(endpoint, connection.channel)
                if attempt == 0 && !connection.channel.isActive { continue }
                return .failure(.broken(Self.describe(error)))
            }
        }
        return .failure(.broken("the connection closed twice"))
    }

    private func exchange(
        on connection: Connection,
        _ endpoint: Endpoint,
        path: String,
        body: [UInt8],
        contentType: String
    ) async throws -> HTTP2Response {
        let stream = try await connection.multiplexer.openStream { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>(
                    wrappingChannelSynchronously: channel
                )
            }
        }
        let limit = responseLimit
        return try await stream.executeThenClose { inbound, outbound in
            let headers: HPACKHeaders = [
                ":method": "POST", ":scheme": endpoint.secure ? "https" : "http", ":authority": endpoint.authority,
                ":path": path, "content-type": contentType, "content-length": "\(body.count)",
                "user-agent": "orch8-swift",
            ]
            try await outbound.write(.headers(.init(headers: headers, endStream: false)))
            try await outbound.write(.data(.init(data: .byteBuffer(ByteBuffer(bytes: body)), endStream: true)))
            var status: Int?
            var received = ByteBuffer()
            frames: for try await frame in inbound {
                switch frame {
                case .headers(let headers):
                    if let text = headers.headers.first(name: ":status"), let code = Int(text), code >= 200 {
                        status = code
                    }
                    if headers.endStream { break frames }
                case .data(let data):
                    if case .byteBuffer(var bytes) = data.data {
                        guard received.readableBytes + bytes.readableBytes <= limit else {
                            throw HTTP2CallError.tooLarge(limit: limit)
                        }
                        received.writeBuffer(&bytes)
                    }
                    if data.endStream { break frames }
                case .rstStream(let code):
                    throw HTTP2CallError.broken("the server reset the stream (\(code))")
                default:
                    continue
                }
            }
            guard let status else { throw HTTP2CallError.broken("the stream ended without a status") }
            return HTTP2Response(status: status, body: Array(received.readableBytesView))
        }
    }

    /// A pool entry: a dial in progress (which every caller of the endpoint awaits) or an open
    /// connection.
    enum Slot {
        case dialing(Task<Connection, any Error>, serial: Int)
        case ready(Connection)
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
                    let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
                        mode: .client,
                        streamInitializer: { stream in stream.eventLoop.makeSucceededVoidFuture() }
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
