import Hummingbird

/// `GET /api-docs/openapi.json` (ORCH8-SPEC §1.1): the OpenAPI 3.1 document of every route, root only
/// and public like the health routes, so that SDK generators and fuzzers can fetch it without a key.
///
/// The document is `Resources/openapi.json`, compiled into the binary (`embedInCode` in Package.swift)
/// rather than read from a resource bundle, which a copied binary would leave behind. OpenAPITests
/// checks it against the routes the router serves, so that a new route without an entry fails a test.
struct OpenAPIController {
    /// The document as checked in, built once.
    static let document = ByteBuffer(bytes: PackageResources.openapi_json)

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("api-docs/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: Self.document)
            )
        }
    }
}
