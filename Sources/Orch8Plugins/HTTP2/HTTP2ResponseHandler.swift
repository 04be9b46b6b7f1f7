import NIOCore
import NIOHPACK
import NIOHTTP2

/// Collects one stream's answer (status, body) and completes `promise` with it; a reset, an error
/// or the stream closing early fails it.
final class HTTP2ResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload

    private let promise: EventLoopPromise<HTTP2Response>
    private let limit: Int
    private var status: Int?
    private var body = ByteBuffer()
    private var done = false

    init(promise: EventLoopPromise<HTTP2Response>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            if let text = headers.headers.first(name: ":status"), let code = Int(text), code >= 200 { status = code }
            if headers.endStream { finish(context) }
        case .data(let data):
            if case .byteBuffer(var bytes) = data.data {
                guard body.readableBytes + bytes.readableBytes <= limit else {
                    fail(HTTP2CallError.tooLarge(limit: limit), context)
                    return
                }
                body.writeBuffer(&bytes)
            }
            if data.endStream { finish(context) }
        case .rstStream(let code):
            fail(HTTP2CallError.broken("the server reset the stream (\(code))"), context)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTP2CallError.broken("the stream closed before the answer was complete"), context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(HTTP2CallError.broken("\(error)"), context)
    }

    private func finish(_ context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        guard let status else {
            promise.fail(HTTP2CallError.broken("the stream ended without a status"))
            return
        }
        promise.succeed(HTTP2Response(status: status, body: Array(body.readableBytesView)))
    }

    private func fail(_ error: HTTP2CallError, _ context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        promise.fail(error)
        context.close(promise: nil)
    }
}
