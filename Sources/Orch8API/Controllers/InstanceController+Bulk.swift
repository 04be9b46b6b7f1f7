import Foundation
import Hummingbird
import Logging
import Orch8Core
import Orch8Engine

extension InstanceController {
    /// `PATCH /instances/bulk/state` `{filter, state}`: moves every matching instance whose current
    /// state allows it (ORCH8-SPEC §7.1); `{count}` of those moved.
    @Sendable func bulkState(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(BulkStateRequest.self, limit: configuration.maxBodyBytes)
        let now = Date()
        var count = 0
        for instance in try await matching(body.filter, context, limit: Self.bulkLimit) {
            guard (try? instance.state.transition(to: body.state)) != nil else { continue }
            let due = body.state == .scheduled ? now : nil
            if try await store.setInstanceState(
                id: instance.id,
                from: instance.state,
                to: body.state,
                nextFireAt: due,
                now: now
            ) {
                count += 1
            }
        }
        if count > 0 { engine.wake() }
        return .json(["count": .int(Int64(count))])
    }

    /// `PATCH /instances/bulk/reschedule` `{filter, offset_secs}`: shifts the due time of every
    /// matching scheduled instance; `{count}`.
    @Sendable func bulkReschedule(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(BulkRescheduleRequest.self, limit: configuration.maxBodyBytes)
        var filter = body.filter
        filter.states = [.scheduled]
        let now = Date()
        var count = 0
        for instance in try await matching(filter, context, limit: Self.bulkLimit) {
            let due = (instance.nextFireAt ?? now).addingTimeInterval(Double(body.offsetSecs))
            if try await store.setInstanceState(
                id: instance.id,
                from: .scheduled,
                to: .scheduled,
                nextFireAt: due,
                now: now
            ) {
                count += 1
            }
        }
        if count > 0 { engine.wake() }
        return .json(["count": .int(Int64(count))])
    }

    /// `POST /instances/batch-action`: retry, pause, resume, cancel or signal every matching
    /// instance (at most `limit`); `dry_run` only counts. `{matched, applied, skipped, failed, dry_run}`.
    @Sendable func batchAction(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(BatchActionRequest.self, limit: configuration.maxBodyBytes)
        guard let tenant = body.filter.tenantID, !tenant.isEmpty else {
            throw APIError.invalidArgument("filter.tenant_id is required")
        }
        let limit = body.limit ?? 1_000
        guard (1...Self.bulkLimit).contains(limit) else {
            throw APIError.invalidArgument("limit must be between 1 and \(Self.bulkLimit), got \(limit)")
        }
        let signalType: SignalType?
        switch body.action {
        case .retry: signalType = nil
        case .pause: signalType = .pause
        case .resume: signalType = .resume
        case .cancel: signalType = .cancel
        case .signal:
            guard let type = body.signalType else {
                throw APIError.invalidArgument("signal_type is required when action is signal")
            }
            signalType = type
        }
        let matched = try await matching(body.filter, context, limit: limit)
        var applied = 0
        var skipped = 0
        var failed = 0
        for instance in matched {
            if body.dryRun { continue }
            do {
                if try await apply(body.action, signalType, body.payload ?? .null, to: instance) {
                    applied += 1
                } else {
                    skipped += 1
                }
            } catch {
                failed += 1
            }
        }
        if applied > 0 { engine.wake() }
        context.logger.info(
            "batch action",
            metadata: [
                "action": "\(body.action.rawValue)", "tenant_id": "\(tenant)", "matched": "\(matched.count)",
                "applied": "\(applied)", "dry_run": "\(body.dryRun)",
            ]
        )
        return .json([
            "matched": .int(Int64(matched.count)), "applied": .int(Int64(applied)), "skipped": .int(Int64(skipped)),
            "failed": .int(Int64(failed)), "dry_run": .bool(body.dryRun),
        ])
    }

    /// Most instances one bulk call touches.
    static let bulkLimit = 10_000

    /// False when the action does not apply to the instance (retry of one that did not fail, a
    /// signal to a terminal one).
    private func apply(
        _ action: BatchAction,
        _ signalType: SignalType?,
        _ payload: JSON,
        to instance: TaskInstance
    ) async throws -> Bool {
        let now = Date()
        guard let signalType else {
            guard instance.state == .failed else { return false }
            return try await store.retryInstance(id: instance.id, runID: UUIDv7.generate(now: now), now: now)
        }
        let signal = Signal(
            id: UUIDv7.generate(now: now),
            instanceID: instance.id,
            signalType: signalType,
            payload: payload,
            createdAt: now
        )
        guard case .enqueued = try await store.enqueueSignal(signal, now: now) else { return false }
        engine.signalArrived(for: instance.id)
        return true
    }

    /// The instances `filter` selects within the caller's tenant, up to `limit`, read before any is
    /// changed so that paging is not disturbed by the changes.
    private func matching(
        _ filter: BulkFilter,
        _ context: APIRequestContext,
        limit: Int
    ) async throws -> [TaskInstance] {
        if let tenant = filter.tenantID, !context.tenancy.canAccess(tenant) { return [] }
        var query = InstanceQuery(
            tenantID: context.tenancy.listFilter(query: filter.tenantID),
            namespace: filter.namespace,
            sequenceID: filter.sequenceID,
            states: filter.states.map(Set.init),
            limit: min(limit, 1_000),
            offset: 0
        )
        query.metadata = filter.metadata ?? [:]
        var found: [TaskInstance] = []
        while found.count < limit {
            let page = try await store.instances(query)
            found += page.prefix(limit - found.count)
            if page.count < query.limit { break }
            query.offset += page.count
        }
        return found
    }
}

/// The `filter` of the bulk routes.
struct BulkFilter: Decodable {
    var tenantID: String?
    var namespace: String?
    var sequenceID: UUID?
    var states: [InstanceState]?
    var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case namespace
        case sequenceID = "sequence_id"
        case states
        case metadata
    }
}

struct BulkStateRequest: Decodable {
    var filter: BulkFilter
    var state: InstanceState
}

struct BulkRescheduleRequest: Decodable {
    var filter: BulkFilter
    var offsetSecs: Int64

    enum CodingKeys: String, CodingKey {
        case filter
        case offsetSecs = "offset_secs"
    }
}

enum BatchAction: String, Decodable {
    case retry, pause, resume, cancel, signal
}

struct BatchActionRequest: Decodable {
    var filter: BulkFilter
    var action: BatchAction
    var signalType: SignalType?
    var payload: JSON?
    var dryRun: Bool
    var limit: Int?

    enum CodingKeys: String, CodingKey {
        case filter, action, payload, limit
        case signalType = "signal_type"
        case dryRun = "dry_run"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filter = try c.decode(BulkFilter.self, forKey: .filter)
        action = try c.decode(BatchAction.self, forKey: .action)
        signalType = try c.decodeIfPresent(SignalType.self, forKey: .signalType)
        payload = try c.decodeIfPresent(JSON.self, forKey: .payload)
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        limit = try c.decodeIfPresent(Int.self, forKey: .limit)
    }
}
