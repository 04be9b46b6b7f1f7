import Foundation
import Orch8Core

extension CronController {
    /// The body of `POST /cron`: `namespace`, `sequence_id` and `cron_expr` required, the rest
    /// defaulted (`tenant_id` by the create rule of ``Tenancy/tenantForCreate(body:)``).
    struct CreateRequest: Decodable {
        var tenantID: String?
        var namespace: String
        var sequenceID: UUID
        var cronExpr: String
        var timezone: String?
        var metadata: JSON?
        var enabled: Bool?
        var overlapPolicy: CronOverlapPolicy?

        enum CodingKeys: String, CodingKey {
            case tenantID = "tenant_id"
            case namespace
            case sequenceID = "sequence_id"
            case cronExpr = "cron_expr"
            case timezone
            case metadata
            case enabled
            case overlapPolicy = "overlap_policy"
        }
    }

    /// The body of `PUT /cron/{id}`: every member optional; absent ones keep their value.
    struct UpdateRequest: Decodable {
        var cronExpr: String?
        var timezone: String?
        var enabled: Bool?
        /// Nil when absent, `.null` when sent as `null` (which clears the metadata).
        var metadata: JSON?
        var overlapPolicy: CronOverlapPolicy?

        enum CodingKeys: String, CodingKey {
            case cronExpr = "cron_expr"
            case timezone
            case enabled
            case metadata
            case overlapPolicy = "overlap_policy"
        }
    }

    /// The expression and time zone of `schedule`, parsed.
    /// - Throws: ``APIError/invalidArgument(_:)``: `invalid cron expression: …` naming the field and
    ///   the problem, or the time zone that is not an IANA name.
    static func parse(_ schedule: CronSchedule) throws(APIError) -> (CronExpression, TimeZone) {
        let expression: CronExpression
        do {
            expression = try CronExpression(schedule.cronExpr)
        } catch {
            throw .invalidArgument("invalid cron expression: \(error)")
        }
        guard !schedule.timezone.isEmpty, let zone = TimeZone(identifier: schedule.timezone) else {
            throw .invalidArgument(
                "invalid `timezone` '\(schedule.timezone)': not an IANA time zone name such as 'Europe/Berlin'"
            )
        }
        return (expression, zone)
    }

    /// The first fire time of `schedule` after `now`, once its values are checked.
    /// - Throws: ``APIError/invalidArgument(_:)`` for a bad expression, time zone or metadata, and for
    ///   an expression that never fires again (`0 0 30 2 *`, or only past years).
    static func firstFire(of schedule: CronSchedule, after now: Date) throws(APIError) -> Date {
        let (expression, zone) = try parse(schedule)
        try checkMetadata(schedule.metadata)
        guard let next = expression.nextFire(after: now, in: zone) else {
            throw .invalidArgument(
                "invalid cron expression: '\(expression.source)' matches no time after \(RFC3339.format(now))"
            )
        }
        return next
    }

    /// Metadata is copied into each instance's metadata with `cron_schedule_id` added, so it must be
    /// an object (or null).
    /// - Throws: ``APIError/invalidArgument(_:)`` naming the field.
    static func checkMetadata(_ metadata: JSON) throws(APIError) {
        guard metadata.isNull || metadata.objectValue != nil else {
            throw .invalidArgument("`metadata` must be an object or null, found \(metadata.typeName)")
        }
    }
}
