import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

/// The cron routes of ORCH8-SPEC §1.10: create, list, read, change (partially), delete, and preview
/// the next fire times. The engine's cron loop does the firing (`Engine.fireDueCronSchedules()`).
///
/// Tenancy as for triggers: a schedule of another tenant is reported missing (404) to every route.
/// Creating a schedule for a sequence of another tenant is a 403 (the spec's rule), a missing
/// sequence a 404.
struct CronController {
    let store: any Store
    let configuration: APIConfiguration

    /// The most fire times `next-fires` lists.
    static let maxPreview = 50

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("cron", use: create)
        group.get("cron", use: list)
        group.get("cron/{id}", use: get)
        group.put("cron/{id}", use: update)
        group.delete("cron/{id}", use: delete)
        group.get("cron/{id}/next-fires", use: nextFires)
    }

    /// `POST /cron`: 201 `{id, next_fire_at}`.
    /// - Throws: ``APIError``: 400 for a bad expression, time zone, namespace or metadata (named),
    ///   403 for a sequence or body tenant of another tenant, 404 for a missing sequence, 422 for
    ///   missing members or wrong JSON types.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateRequest.self, limit: configuration.maxBodyBytes)
        let tenant = try context.tenancy.tenantForCreate(body: body.tenantID)
        if body.namespace.allSatisfy(\.isWhitespace) { throw APIError.invalidArgument("`namespace` must not be empty") }
        guard let sequence = try await store.sequence(id: body.sequenceID) else {
            throw APIError.notFound("sequence \(body.sequenceID.wire)")
        }
        guard sequence.tenantID == tenant else {
            throw APIError.forbidden("sequence \(body.sequenceID.wire) belongs to another tenant")
        }
        let now = PluginController.storedNow()
        var schedule = CronSchedule(
            id: UUIDv7.generate(now: now),
            tenantID: tenant,
            namespace: body.namespace,
            sequenceID: sequence.id,
            cronExpr: body.cronExpr,
            timezone: body.timezone ?? "UTC",
            enabled: body.enabled ?? true,
            metadata: body.metadata ?? .null,
            overlapPolicy: body.overlapPolicy ?? .allow,
            nextFireAt: nil,
            createdAt: now,
            updatedAt: now
        )
        schedule.nextFireAt = try Self.firstFire(of: schedule, after: now)
        try await store.createCronSchedule(schedule)
        context.logger.info("cron schedule created", metadata: metadata(schedule))
        let next: JSON = schedule.nextFireAt.map { .string(RFC3339.format($0)) } ?? .null
        return .json(["id": .string(schedule.id.wire), "next_fire_at": next], status: .created)
    }

    /// `GET /cron?tenant_id&limit=100`: a plain array, oldest first, of the caller's tenant (the
    /// context overrides `tenant_id`; without either, every tenant's).
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let tenant = context.tenancy.listFilter(query: query["tenant_id"])
        let limit = try query.count("limit", default: 100, maximum: 1000)
        return try .json(encoding: try await store.cronSchedules(tenantID: tenant, limit: limit))
    }

    /// `GET /cron/{id}`.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        try .json(encoding: try await accessibleSchedule(context))
    }

    /// `PUT /cron/{id}`: changes the members given (`cron_expr`, `timezone`, `enabled`, `metadata`,
    /// `overlap_policy`); 200 with the schedule. A new expression, time zone or enabling computes the
    /// next fire time afresh from now.
    /// - Throws: ``APIError``: 404 for an unknown schedule, 400 for bad values, 422 for wrong types.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        var schedule = try await accessibleSchedule(context)
        let body = try await request.decodeJSON(UpdateRequest.self, limit: configuration.maxBodyBytes)
        let now = max(PluginController.storedNow(), schedule.createdAt)
        let timing = body.cronExpr != nil || body.timezone != nil || (body.enabled == true && !schedule.enabled)
        if let cronExpr = body.cronExpr { schedule.cronExpr = cronExpr }
        if let timezone = body.timezone { schedule.timezone = timezone }
        if let enabled = body.enabled { schedule.enabled = enabled }
        if let metadata = body.metadata { schedule.metadata = metadata }
        if let policy = body.overlapPolicy { schedule.overlapPolicy = policy }
        schedule.updatedAt = now
        if timing {
            schedule.nextFireAt = try Self.firstFire(of: schedule, after: now)
        } else {
            try Self.checkMetadata(schedule.metadata)
        }
        guard try await store.updateCronSchedule(schedule, rescheduled: timing),
            let updated = try await store.cronSchedule(id: schedule.id)
        else {
            throw APIError.notFound("cron schedule \(schedule.id.wire)")
        }
        schedule = updated
        context.logger.info("cron schedule updated", metadata: metadata(schedule))
        return try .json(encoding: schedule)
    }

    /// `DELETE /cron/{id}`: 204. Instances it started are not touched.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let schedule = try await accessibleSchedule(context)
        guard try await store.deleteCronSchedule(id: schedule.id) else {
            throw APIError.notFound("cron schedule \(schedule.id.wire)")
        }
        context.logger.info("cron schedule deleted", metadata: metadata(schedule))
        return .empty(.noContent)
    }

    /// `GET /cron/{id}/next-fires?n=5`: the next `n` (at most 50) fire times from now, as an array of
    /// RFC 3339 timestamps; fewer when the expression stops firing. Disabled schedules are previewed
    /// too: the times they would fire at.
    @Sendable func nextFires(_ request: Request, context: APIRequestContext) async throws -> Response {
        let schedule = try await accessibleSchedule(context)
        let count = try QueryParameters(request).count("n", default: 5, maximum: Self.maxPreview)
        let (expression, zone) = try Self.parse(schedule)
        let fires = expression.nextFires(after: Date(), in: zone, count: count)
        return .json(.array(fires.map { .string(RFC3339.format($0)) }))
    }

    /// The schedule of the `{id}` path parameter, if the caller's tenant may see it.
    private func accessibleSchedule(_ context: APIRequestContext) async throws -> CronSchedule {
        let id = try context.pathUUID()
        guard let schedule = try await store.cronSchedule(id: id), context.tenancy.canAccess(schedule.tenantID) else {
            throw APIError.notFound("cron schedule \(id.wire)")
        }
        return schedule
    }

    private func metadata(_ schedule: CronSchedule) -> Logger.Metadata {
        [
            "cron.schedule_id": "\(schedule.id.wire)", "cron.tenant": "\(schedule.tenantID)",
            "cron.expr": "\(schedule.cronExpr)", "cron.timezone": "\(schedule.timezone)",
        ]
    }
}
