import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP/2 (h2c, prior knowledge) server on loopback for the gRPC plugin tests. Paths choose the
/// behaviour: `/Test/Echo` answers the envelope's params; `/Test/Flaky` 503 twice then 200;
/// `/Test/Reject` 400; `/Test/Slow` answers after 3 s; `/Test/Html` a 200 that is not JSON;
/// `/Test/Drop` closes the connection without answering; `/Test/GoAway` answers, then sends GOAWAY.
final class HTTP2TestServer: Sendable {
    typealias Stream = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>
    typealias Connection = NIOHTTP2Handler.AsyncStreamMultiplexer<Stream>

    let port: Int
    private let channel: NIOAsyncChannel<Connection, Never>
    private let accepted = Atomic<Int>(0)
    private let calls = Mutex<[String: Int]>([:])
    private let inFlight = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// Connections accepted so far.
    var connections: Int { accepted.load(ordering: .relaxed) }
    /// The most calls in progress at once.
    var peakConcurrency: Int { peak.load(ordering: .relaxed) }
    func calls(to path: String) -> Int { calls.withLock { $0[path] ?? 0 } }

    private init(channel: NIOAsyncChannel<Connection, Never>) {
        self.channel = channel
        port = channel.channel.localAddress?.port ?? 0
    }

    /// Serves until `body` returns; with `tls`, over TLS (ALPN h2).
    static func with<T: Sendable>(
        tls: NIOSSLContext? = nil,
        _ body: @Sendable (HTTP2TestServer) async throws -> T
    ) async throws -> T {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    return try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(mode: .server) { stream in
                        stream.eventLoop.makeCompletedFuture { try Stream(wrappingChannelSynchronously: stream) }
                    }
                }
            }
        let server = HTTP2TestServer(channel: channel)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.serve()
                return nil
            }
            let result = try await body(server)
            group.cancelAll()
            try? await channel.channel.close()
            return result
        }
    }

    private func serve() async throws {
        try await channel.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    accepted.add(1, ordering: .relaxed)
                    group.addTask {
                        try? await withThrowingDiscardingTaskGroup { streams in
                            for try await stream in connection.inbound {
                                streams.addTask { try? await self.handle(stream) }
                            }
                        }
                    }
                }
            }
        }
    }

    private func handle(_ stream: Stream) async throws {
        try await stream.executeThenClose { inbound, outbound in
            var path = ""
            var body = ByteBuffer()
            frames: for try await frame in inbound {
                switch frame {
                case .headers(let headers):
                    path = headers.headers.first(name: ":path") ?? ""
                    if headers.endStream { break frames }
                case .data(let data):
                    if case .byteBuffer(var bytes) = data.data { body.writeBuffer(&bytes) }
                    if data.endStream { break frames }
                default: continue
                }
            }
            let count = calls.withLock { calls in
                calls[path, default: 0] += 1
                return calls[path]!
            }
            let now = inFlight.add(1, ordering: .relaxed).newValue
            peak.raise(to: now)
            defer { inFlight.subtract(1, ordering: .relaxed) }
            let (status, answer): (Int, String)
            switch path {
            case "/Test/Echo":
                let envelope = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any]
                let params = envelope?["params"] ?? [:]
                let attempt = envelope?["attempt"] ?? 0
                let json = try JSONSerialization.data(withJSONObject: ["echo": params, "attempt": attempt])
                (status, answer) = (200, String(decoding: json, as: UTF8.self))
                try await Task.sleep(for: .milliseconds(20))
            case "/Test/Flaky":
                (status, answer) = count <= 2 ? (503, "try later") : (200, #"{"ok": true}"#)
            case "/Test/Reject": (status, answer) = (400, "bad lead")
            case "/Test/Slow":
                try await Task.sleep(for: .seconds(3))
                (status, answer) = (200, "{}")
            case "/Test/Html": (status, answer) = (200, "<html>hello</html>")
            case "/Test/Drop":
                stream.channel.parent?.close(promise: nil)
                return
            case "/Test/GoAway":
                // Answers, then tells the client to open no more streams on this connection.
                (status, answer) = (200, #"{"last": true}"#)
            default: (status, answer) = (404, "no such method")
            }
            let headers: HPACKHeaders = [":status": "\(status)", "content-type": "application/json"]
            try await outbound.write(.headers(.init(headers: headers)))
            try await outbound.write(.data(.init(data: .byteBuffer(ByteBuffer(string: answer)), endStream: true)))
            if path == "/Test/GoAway" {
                let goAway = HTTP2Frame(
                    streamID: .rootStream,
                    payload: .goAway(lastStreamID: HTTP2StreamID(Int32.max), errorCode: .noError, opaqueData: nil)
                )
                stream.channel.parent?.writeAndFlush(goAway, promise: nil)
            }
        }
    }
}

extension Atomic where Value == Int {
    func raise(to value: Int) {
        var current = load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
