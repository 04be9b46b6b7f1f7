import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Orch8Plugins

// The gRPC plugin client's cost over a warm pooled h2c connection, beside h2load against the same
// server (DESIGN.md §4: the physical limit here). A minimal Swift-NIO HTTP/2 server answers every
// POST with a small JSON body; the client sends the engine's envelope size.
//
//   swift build -c release --product orch8-h2bench && .build/release/orch8-h2bench [--calls 20000]

typealias Stream = NIOAsyncChannel<HTTP2Frame.FramePayload, HTTP2Frame.FramePayload>

/// Prints a line at once (not buffered until exit).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return Int(arguments[index + 1]) ?? fallback
}
let totalCalls = option("--calls", 20_000)
let answer = ByteBuffer(string: #"{"category":"ham","confidence":0.95}"#)
let envelope = Array(
    #"{"instance_id":"0192f5a4-0000-7000-8000-000000000001","block_id":"enrich","params":{"domain":"acme.io"},"context":{"data":{},"config":{}},"attempt":1,"config":{}}"#
        .utf8
)

/// Answers every stream with `answer`.
func serve(_ stream: Stream) async throws {
    try await stream.executeThenClose { inbound, outbound in
        frames: for try await frame in inbound {
            switch frame {
            case .headers(let headers) where headers.endStream: break frames
            case .data(let data) where data.endStream: break frames
            default: continue
            }
        }
        try await outbound.write(.headers(.init(headers: [":status": "200", "content-type": "application/json"])))
        try await outbound.write(.data(.init(data: .byteBuffer(answer), endStream: true)))
    }
}

let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .bind(host: "127.0.0.1", port: 0) { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(mode: .server) { stream in
                stream.eventLoop.makeCompletedFuture { try Stream(wrappingChannelSynchronously: stream) }
            }
        }
    }
let port = server.channel.localAddress?.port ?? 0
// Detached: top-level code runs on the main actor, which h2load's blocking wait would stall.
let serving = Task.detached {
    try await server.executeThenClose { connections in
        try await withThrowingDiscardingTaskGroup { group in
            for try await connection in connections {
                group.addTask {
                    try? await withThrowingDiscardingTaskGroup { streams in
                        for try await stream in connection.inbound { streams.addTask { try? await serve(stream) } }
                    }
                }
            }
        }
    }
}

let pool = HTTP2ConnectionPool()
let endpoint = HTTP2ConnectionPool.Endpoint(host: "127.0.0.1", port: port)

func call() async throws -> Duration {
    let start = ContinuousClock.now
    let response = try await pool.post(endpoint, path: "/Bench/Call", body: envelope, timeout: .seconds(30))
    precondition(response.status == 200)
    return ContinuousClock.now - start
}

func microseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
}

/// `calls` calls with `concurrency` in flight at once; calls/s and the latencies.
func run(calls: Int, concurrency: Int) async throws -> (rate: Double, latencies: [Double]) {
    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var mine: [Double] = []
                for _ in stride(from: worker, to: calls, by: concurrency) {
                    mine.append(microseconds(try await call()))
                }
                return mine
            }
        }
        var all: [Double] = []
        for try await part in group { all += part }
        return all
    }
    let seconds = microseconds(ContinuousClock.now - start) / 1e6
    return (Double(calls) / seconds, latencies.sorted())
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

/// h2load with the same body and concurrency, over one connection like the pool; its req/s.
func h2load(calls: Int, concurrency: Int) throws -> Double? {
    let body = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-h2bench-body.json")
    try Data(envelope).write(to: body)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "h2load", "-n", "\(calls)", "-c", "1", "-m", "\(concurrency)", "-d", body.path,
        "-H", "content-type: application/json", "http://127.0.0.1:\(port)/Bench/Call",
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    // "finished in 1.23s, 16260.16 req/s, …"
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("finished in") }) else { return nil }
    let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    return fields.first { $0.hasSuffix("req/s") }.flatMap { Double($0.split(separator: " ")[0]) }
}

if arguments.contains("--debug") {
    say("port \(port)")
    say("\(try await call())")
}
_ = try await run(calls: 2_000, concurrency: 16)  // warm up the connection and the code paths
let sequential = try await run(calls: totalCalls / 4, concurrency: 1)
say("orch8 HTTP/2 client over one warm h2c connection to a Swift-NIO server, \(envelope.count)-byte envelope")
say(
    String(
        format: "latency, 1 in flight: p50 %.0f us, p99 %.0f us",
        percentile(sequential.latencies, 0.5),
        percentile(sequential.latencies, 0.99)
    )
)
for concurrency in [1, 16, 64] {
    let calls = concurrency == 1 ? totalCalls / 4 : totalCalls
    let ours = try await run(calls: calls, concurrency: concurrency)
    let theirs = try h2load(calls: calls, concurrency: concurrency)
    let ratio = theirs.map { String(format: "%.2f", ours.rate / $0) } ?? "-"
    let limit = theirs.map { String(format: "%.0f", $0) } ?? "(h2load not installed)"
    say(
        String(format: "%2d in flight: %8.0f calls/s", concurrency, ours.rate)
            + "   h2load same server: \(limit) req/s   ratio \(ratio)"
    )
}
serving.cancel()
await pool.shutdown()
