public import NIOCore
import NIOSSL

/// TLS for `grpcs://` endpoints: ALPN `h2`, the server checked against the operator's CA (or the
/// system's roots), and a client certificate for mutual TLS when one is configured.
public struct HTTP2TLS: HTTP2TLSProvider {
    private let context: NIOSSLContext

    /// - Parameters:
    ///   - caFile: PEM file of the CA that signs the plugin servers; nil trusts the system's roots.
    ///   - certificateFile, keyFile: PEM files of this engine's client certificate and key (mTLS).
    /// - Throws: ``HTTP2TLSError`` naming the file that could not be used.
    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["h2"]
        if let caFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw HTTP2TLSError("cannot read the CA certificate \(caFile): \(error)")
            }
        }
        switch (certificateFile, keyFile) {
        case (let certificate?, let key?):
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            } catch {
                throw HTTP2TLSError("cannot read the client certificate \(certificate): \(error)")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw HTTP2TLSError("cannot read the client key \(key): \(error)")
            }
        case (nil, nil): break
        default: throw HTTP2TLSError("a client certificate needs both its certificate and its key file")
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw HTTP2TLSError("cannot set up TLS: \(error)")
        }
    }

    public func addHandlers(to channel: any Channel, serverHostname: String) throws {
        // SNI takes names only; an address is still checked against the certificate's IP entries.
        let isAddress = serverHostname.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
        let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : serverHostname)
        try channel.pipeline.syncOperations.addHandler(handler)
    }
}

/// Why the TLS settings for gRPC plugins cannot be used.
public struct HTTP2TLSError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
