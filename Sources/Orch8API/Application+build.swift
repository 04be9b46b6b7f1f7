public import Hummingbird
public import Logging
public import Orch8Core
public import Orch8Engine
import Orch8Plugins
public import ServiceLifecycle

/// Builds the HTTP application: every route of the REST API over `store`, with `engine` behind the
/// routes that start or steer work. This is the one composition root, used by `orch8 serve` and by
/// the tests.
///
/// The application is a `Service`; it runs `services` in its own `ServiceGroup` next to the HTTP
/// server (started before it, shut down gracefully with it). Pass the engine there to run it in the
/// same process:
///
/// ```swift
/// let app = buildApplication(configuration: api, store: store, engine: engine, services: [engine], logger: logger)
/// try await app.runService()
/// ```
///
/// - Parameters:
///   - configuration: Listen address, API key, tenant header rule and size limits.
///   - store: Where everything is kept.
///   - engine: Woken when instances are created or change state, told about signals, asked whether
///     it is alive (`/health/ready`) and which handlers it has (`/handlers`). Its ``Engine/plugins``
///     host serves the plugin registry routes, whose changes reach its cache at once.
///   - services: Long-running services to run with the server, usually `[engine]`.
///   - logger: The application's logger; each request's logger adds `request.id`.
/// - Returns: The application, to run with `run()` / `runService()` or to test with HummingbirdTesting.
public func buildApplication(
    configuration: APIConfiguration,
    store: any Store,
    engine: Engine,
    services: [any Service] = [],
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration, store: store, engine: engine)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: nil
        ),
        services: services,
        logger: logger
    )
}

/// The router: public health routes at the root, then every product route twice, under `/api/v1`
/// and bare (deprecated), each behind the API-key and tenant checks (ORCH8-SPEC §1.1, §1.2).
func buildRouter(configuration: APIConfiguration, store: any Store, engine: Engine) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    // The engine's plugin host, so that registry changes reach the cache it runs plugins from. An
    // engine without one (plugins not configured) still gets the registry routes, checked by a host
    // of its own with the default sandbox limits.
    let plugins = engine.plugins ?? PluginHost(store: store, wasm: WasmRuntime(configuration: .registryOnly))
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware(registry: engine.metrics.registry))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BodyLimitMiddleware(limit: configuration.maxBodyBytes))

    HealthController(store: store, engine: engine, configuration: configuration).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    // Root-only like the health routes, but behind the key and tenant checks (ORCH8-SPEC §1.4).
    let metrics = router.group()
        .add(middleware: APIKeyMiddleware(rootKey: configuration.apiKey, store: store))
        .add(middleware: TenantMiddleware(required: configuration.requireTenantHeader))
    MetricsController(engine: engine).addRoutes(to: metrics)

    let versioned = router.group("api/v1")
    let bare = router.group().add(middleware: DeprecationMiddleware())
    for mount in [versioned, bare] {
        mount.add(middleware: APIKeyMiddleware(rootKey: configuration.apiKey, store: store))
            .add(middleware: TenantMiddleware(required: configuration.requireTenantHeader))
        SequenceController(store: store, engine: engine, configuration: configuration).addRoutes(to: mount)
        InstanceController(store: store, engine: engine, configuration: configuration).addRoutes(to: mount)
        SignalController(store: store, engine: engine, configuration: configuration).addRoutes(to: mount)
        HandlersController(store: store, engine: engine).addRoutes(to: mount)
        WorkerController(store: store, engine: engine, configuration: configuration).addRoutes(to: mount)
        ApprovalController(store: store).addRoutes(to: mount)
        PluginController(store: store, plugins: plugins, configuration: configuration).addRoutes(to: mount)
        TriggerController(store: store, engine: engine, configuration: configuration).addRoutes(to: mount)
        CronController(store: store, configuration: configuration).addRoutes(to: mount)
        APIKeyController(store: store, configuration: configuration).addRoutes(to: mount)
    }
    return router
}

extension WasmConfiguration {
    /// A runtime that only checks sources: one guest thread, since none runs there.
    fileprivate static var registryOnly: WasmConfiguration {
        var configuration = WasmConfiguration()
        configuration.threads = 1
        return configuration
    }
}
