import Hummingbird
import Orch8Core
import Orch8Engine

/// `GET /handlers`: the handler names steps can use in-process, and those external workers have
/// polled for.
struct HandlersController {
    let store: any Store
    let engine: Engine

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("handlers") { _, _ in
            let external = Set(try await store.workerRegistrations().flatMap(\.handlers)).sorted()
            return Response.json([
                "builtin": .array(engine.builtinHandlerNames.map(JSON.string)),
                "external": .array(external.map(JSON.string)),
            ])
        }
    }
}
