import Foundation
import HTTPTypes
import NIOSSL
import Orch8Core
import Orch8Plugins
import Testing

/// `grpcs://` plugins over TLS and mutual TLS, with certificates made by openssl in the test run.
@Suite struct GRPCTLSTests {
    /// A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, in a new
    /// directory.
    struct Certificates {
        let directory: URL
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch8-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(
                to: directory.appendingPathComponent("san.ext"),
                atomically: true,
                encoding: .utf8
            )
            let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            try await run(
                ["req", "-x509"] + key + [
                    "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=orch8 test CA",
                ]
            )
            for (name, subject, extra) in [
                ("server", "/CN=localhost", ["-extfile", "san.ext"]), ("client", "/CN=orch8 engine", []),
            ] {
                try await run(["req"] + key + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
                try await run(
                    [
                        "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                        "-out", "\(name).pem", "-days", "2",
                    ] + extra
                )
            }
        }

        private func run(_ arguments: [String]) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try await process.runToExit()
            guard process.terminationStatus == 0 else { throw TLSSetupError(command: arguments.joined(separator: " ")) }
        }

        /// The server side: ALPN h2, and with `requireClient` only clients with a certificate the CA signed.
        func serverContext(requireClient: Bool) throws -> NIOSSLContext {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(path("server.pem")).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: path("server.key"), format: .pem))
            )
            configuration.applicationProtocols = ["h2"]
            if requireClient {
                configuration.certificateVerification = .noHostnameVerification
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path("ca.pem")))
            }
            return try NIOSSLContext(configuration: configuration)
        }
    }

    struct TLSSetupError: Error {
        var command: String
    }

    func runEcho(_ api: APIClient, port: Int) async throws -> UUID {
        let plugin = try await api.send(
            .post,
            "/plugins",
            #"{"name": "secure", "plugin_type": "grpc", "source": "grpcs://localhost:\#(port)/Test.Echo"}"#
        )
        #expect(plugin.status == .created, "\(plugin.text)")
        let sequence = try await api.createSequence(
            #"[{"type": "step", "id": "s", "handler": "grpc://secure", "params": {"tls": true}}]"#
        )
        return try await api.createInstance(sequence)
    }

    @Test func grpcsCallsAServerTheOperatorsCATrusts() async throws {
        let certificates = try await Certificates()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let pool = HTTP2ConnectionPool(tls: try HTTP2TLS(caFile: certificates.path("ca.pem")))
        try await HTTP2TestServer.with(tls: try certificates.serverContext(requireClient: false)) { server in
            try await APIHarness().run(grpcPool: pool) { api in
                let id = try await runEcho(api, port: server.port)
                try await api.waitFor(id, "completed")
                #expect(try await api.outputs(id).first?["output"]?["echo"] == ["tls": true])
            }
        }
    }

    @Test func mutualTLSAdmitsTheEnginesCertificateAndRefusesAClientWithout() async throws {
        let certificates = try await Certificates()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let withCertificate = HTTP2ConnectionPool(
            tls: try HTTP2TLS(
                caFile: certificates.path("ca.pem"),
                certificateFile: certificates.path("client.pem"),
                keyFile: certificates.path("client.key")
            )
        )
        let without = HTTP2ConnectionPool(tls: try HTTP2TLS(caFile: certificates.path("ca.pem")))
        try await HTTP2TestServer.with(tls: try certificates.serverContext(requireClient: true)) { server in
            try await APIHarness().run(grpcPool: withCertificate) { api in
                let id = try await runEcho(api, port: server.port)
                try await api.waitFor(id, "completed")
            }
            try await APIHarness().run(grpcPool: without) { api in
                let id = try await runEcho(api, port: server.port)
                try await api.waitFor(id, "failed")
                let message = try await api.outputs(id).last?["output"]?["message"]?.stringValue ?? ""
                #expect(message.contains("grpc plugin 'secure'"), "\(message)")
            }
            #expect(server.calls(to: "/Test/Echo") == 1, "only the client with a certificate got through")
        }
    }

    @Test func badTLSFilesAreNamed() {
        #expect(throws: HTTP2TLSError.self) { try HTTP2TLS(caFile: "/nonexistent/ca.pem") }
        #expect(throws: HTTP2TLSError.self) { try HTTP2TLS(certificateFile: "/tmp/only-a-cert.pem") }
    }
}
