/// A sequence that uses every block type and every step field, written exactly as the encoder writes
/// it back (integer milliseconds, defaults spelled out), so that `encode(decode(x)) == x` checks every
/// key spelling.
enum SequenceFixtures {
    static let everyStepField = #"""
        {"type": "step", "id": "charge", "handler": "billing_charge",
         "params": {"amount": "{{context.data.amount}}"},
         "retry": {"max_attempts": 3, "initial_backoff": 1000, "max_backoff": 60000, "backoff_multiplier": 2.5,
                   "retry_if": "contains(_error.message, \"timeout\")", "non_retryable_codes": ["404"]},
         "timeout": 30000,
         "delay": {"duration": 3600000, "business_days_only": true, "jitter": 60000, "holidays": ["2026-12-25"],
                   "fire_at_local": "2026-03-08T09:00:00", "timezone": "Europe/Berlin"},
         "send_window": {"start_hour": 9, "end_hour": 17, "days": [0, 1, 2, 3, 4]},
         "rate_limit_key": "smtp:acme", "queue_name": "billing", "when": "context.data.amount > 0",
         "cancellable": false,
         "wait_for_input": {"prompt": "Approve?", "timeout": 86400000, "escalation_handler": "escalate",
                            "choices": [{"label": "Ship it", "value": "ship"}, {"label": "Hold", "value": "hold"}],
                            "store_as": "decision", "allow_comment": true},
         "context_access": {"data": {"fields": ["amount", "currency"]}, "config": false, "audit": true,
                            "runtime": true},
         "deadline": 120000,
         "on_deadline_breach": {"handler": "page_oncall", "params": {"team": "billing"}},
         "fallback_handler": "billing_charge_backup",
         "cache_key": "charge:{{context.data.order_id}}",
         "output_schema": {"type": "object", "required": ["receipt"]},
         "compensation": {"handler": "billing_refund", "params": {"full": true}, "depends_on": ["ship"],
                          "verification": {"handler": "billing_check"}}}
        """#

    static let everyBlockType = """
        [\(everyStepField),
         {"type": "parallel", "id": "fanout", "branches": [[\(noop("p1"))], [\(noop("p2"))]]},
         {"type": "race", "id": "first", "branches": [[\(noop("r1"))], [\(noop("r2"))]],
          "semantics": "first_to_succeed"},
         {"type": "loop", "id": "poll", "condition": "context.data.ready != true", "body": [\(noop("l1"))],
          "max_iterations": 50, "break_on": "context.data.abort == true", "continue_on_error": true,
          "poll_interval": 30, "retain_iterations": 5},
         {"type": "for_each", "id": "each", "collection": "order.lines", "item_var": "line",
          "body": [\(noop("f1"))], "max_iterations": 200, "retain_iterations": 10},
         {"type": "router", "id": "route", "routes": [{"condition": "context.data.plan == 'pro'",
          "blocks": [\(noop("pro"))]}], "default": [\(noop("basic"))]},
         {"type": "try_catch", "id": "guarded", "try_block": [\(noop("t1"))], "catch_block": [\(noop("c1"))],
          "finally_block": [\(noop("fin"))]},
         {"type": "sub_sequence", "id": "kyc", "sequence_name": "kyc_check", "version": 2,
          "input": {"level": "full"}},
         {"type": "a_b_split", "id": "ab", "variants": [{"name": "control", "weight": 50, "blocks": [\(noop("a1"))]},
          {"name": "treatment", "weight": 50, "blocks": [\(noop("b1"))]}]},
         {"type": "cancellation_scope", "id": "scope", "blocks": [\(noop("s1"))]},
         {"type": "saga", "id": "trip", "steps": [{"id": "hotel", "action": \(noop("book_hotel")),
          "compensation": \(noop("cancel_hotel"))}, {"id": "car", "action": \(noop("book_car"))}]}]
        """

    static let fullSequence = """
        {"id": "0190f5a8-7c3e-7a10-8000-0000000000aa", "tenant_id": "acme", "namespace": "billing",
         "name": "everything", "version": 3, "deprecated": true, "status": "staging",
         "created_at": "2026-05-05T12:00:00Z", "input_schema": {"type": "object"},
         "sla": {"max_runtime": 60000, "max_step_runtime": 5000},
         "on_failure": [\(noop("cleanup"))], "on_cancel": [\(noop("notify"))],
         "interceptors": {"before_step": {"handler": "log"}},
         "blocks": \(everyBlockType)}
        """
}
