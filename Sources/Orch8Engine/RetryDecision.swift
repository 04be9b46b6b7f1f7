import Orch8Core

/// Whether a failed step runs again, and after how long (ORCH8-SPEC §7.4, with our counting:
/// `max_attempts = N` allows N executions in total).
enum RetryDecision: Equatable {
    case retry(after: Duration)
    case fail(String)

    static func decide(
        _ failure: StepFailure,
        attempt: UInt32,
        policy: RetryPolicy?,
        retryIf: Orch8Core.Expression?,
        scope: EvaluationScope
    ) -> RetryDecision {
        guard failure.retryable else { return .fail(failure.message) }
        guard let policy else { return .fail(failure.message) }
        let executions = attempt + 1
        guard executions < policy.maxAttempts else {
            return .fail("\(failure.message) (gave up after \(executions) attempt\(executions == 1 ? "" : "s"))")
        }
        if let codes = policy.nonRetryableCodes, let code = errorCode(failure.details), codes.contains(code) {
            return .fail("\(failure.message) (code \(code) is not retryable)")
        }
        if let retryIf {
            var scope = scope
            var error: [String: JSON] = ["message": .string(failure.message)]
            if let details = failure.details { error["details"] = details }
            if case .object(var data) = scope.data {
                data["_error"] = .object(error)
                scope.data = .object(data)
            } else {
                scope.data = ["_error": .object(error)]
            }
            scope.outputs = [:]
            guard retryIf.isTrue(in: scope) else { return .fail("\(failure.message) (retry_if is false)") }
        }
        let wait = backoff(policy, attempt: attempt)
        return .retry(after: max(wait, failure.retryAfter ?? .zero))
    }

    /// `initial · multiplier^attempt`, capped at `max_backoff`; no jitter.
    static func backoff(_ policy: RetryPolicy, attempt: UInt32) -> Duration {
        let initial = Double(policy.initialBackoff.value)
        let cap = Double(policy.maxBackoff.value)
        let raw = initial * pow(policy.backoffMultiplier, Double(attempt))
        let milliseconds = raw.isFinite ? min(raw, cap) : cap
        return .milliseconds(Int64(max(0, milliseconds)))
    }

    /// The code `non_retryable_codes` matches: `details.error_code`, `code` or `status`, as text.
    private static func errorCode(_ details: JSON?) -> String? {
        guard let details else { return nil }
        for key in ["error_code", "code", "status"] {
            switch details[key] {
            case .string(let s)?: return s
            case .int(let i)?: return String(i)
            case .double(let d)?: return JSON.double(d).serialized()
            default: continue
            }
        }
        return nil
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(min(exponent, 1_000))
    while remaining > 0 {
        result *= base
        remaining -= 1
        if !result.isFinite { break }
    }
    return result
}
