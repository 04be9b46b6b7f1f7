extension SequenceValidator {
    /// The rules of a step's fields.
    mutating func checkStep(_ step: StepDefinition) {
        let id = step.id
        if step.handler.isEmpty { report(id, "handler must not be empty") }
        if let retry = step.retry { checkRetry(retry, of: id) }
        if let window = step.sendWindow { checkSendWindow(window, of: id) }
        if let gate = step.waitForInput { checkGate(gate, of: id) }
        if let compensation = step.compensation { checkCompensation(compensation, of: id) }
    }

    private mutating func checkRetry(_ retry: RetryPolicy, of id: String) {
        if retry.maxAttempts == 0 { report(id, "retry.max_attempts must be > 0") }
        // Written negated so that NaN is rejected too.
        if !(retry.backoffMultiplier > 0) { report(id, "retry.backoff_multiplier must be > 0") }
        if retry.initialBackoff > retry.maxBackoff {
            report(
                id,
                "retry.initial_backoff must be <= retry.max_backoff "
                    + "(\(retry.initialBackoff.value) > \(retry.maxBackoff.value))"
            )
        }
        if let retryIf = retry.retryIf, isBlank(retryIf) { report(id, "retry.retry_if must not be blank") }
        if let codes = retry.nonRetryableCodes, codes.contains(where: isBlank) {
            report(id, "retry.non_retryable_codes must not contain blank entries")
        }
    }

    private mutating func checkSendWindow(_ window: SendWindow, of id: String) {
        let hours = SequenceLimits.hours
        let days = SequenceLimits.weekdays
        for (field, hour) in [("start_hour", window.startHour), ("end_hour", window.endHour)]
        where !hours.contains(hour) {
            report(id, "send_window.\(field) must be between 0 and 23, found \(hour)")
        }
        if window.startHour == window.endHour {
            report(id, "send_window.start_hour and send_window.end_hour must differ")
        }
        for day in window.days where !days.contains(day) {
            report(id, "send_window.days must be between 0 and 6, found \(day)")
        }
    }

    private mutating func checkGate(_ gate: WaitForInput, of id: String) {
        if let choices = gate.choices {
            if choices.isEmpty { report(id, "wait_for_input.choices must not be empty") }
            var values: Set<String> = []
            for choice in choices where !values.insert(choice.value).inserted {
                report(id, "duplicate wait_for_input.choices value: \(choice.value)")
            }
        }
        if gate.storeAs?.isEmpty == true { report(id, "wait_for_input.store_as must not be empty") }
    }

    private mutating func checkCompensation(_ compensation: CompensationSpec, of id: String) {
        if compensation.handler.isEmpty { report(id, "compensation.handler must not be empty") }
        let limit = SequenceLimits.maxCompensationDependencies
        if compensation.dependsOn.count > limit {
            report(
                id,
                "compensation.depends_on must have at most \(limit) entries, found \(compensation.dependsOn.count)"
            )
        }
        var seen: Set<String> = []
        for dependency in compensation.dependsOn where !seen.insert(dependency).inserted {
            report(id, "duplicate compensation.depends_on entry: \(dependency)")
        }
        if compensation.dependsOn.contains(id) {
            report(id, "compensation.depends_on must not include the step itself")
        }
    }
}
