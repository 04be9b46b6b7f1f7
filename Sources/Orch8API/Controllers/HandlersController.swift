import Hummingbird
import Orch8Core
import Orch8Engine

/// `GET /handlers`: the handler names steps can use in-process, and (later) those external workers
/// have announced.
struct HandlersController {
    let engine: Engine

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("handlers") { _, _ in
            Response.json([
                "builtin": .array(engine.builtinHandlerNames.map(JSON.string)),
                "external": .array([]),
            ])
        }
    }
}
