import Orch8Core

/// A context of the size a typical step sees: customer data, a 10-line order, config, and the
/// outputs of three earlier steps.
enum SampleContext {
    static let data: JSON = [
        "customer": [
            "id": "cus_8842", "name": "Ada Lovelace", "email": "ada@example.com", "tier": "enterprise",
            "address": ["street": "12 Analytical Way", "city": "London", "zip": "N1 9GU", "country": "GB"],
        ],
        "order": [
            "id": "ord_20261125_0042", "currency": "EUR", "total": 1249.5, "coupon": nil,
            "lines": .array(
                (0..<10).map { i in
                    ["sku": .string("SKU-\(i)"), "qty": .int(Int64(i % 3 + 1)), "price": .double(19.99 + Double(i))]
                }
            ),
        ],
        "plan": "enterprise", "amount": 1249.5, "retries": 2, "tags": ["priority", "eu", "b2b"],
        "notes": "  Deliver before noon, ring twice  ",
    ]
    static let config: JSON = ["region": "eu-west-1", "smtp_host": "smtp.example.com", "max_amount": 5000]
    static let outputs: [String: JSON] = [
        "fetch_customer": ["status": 200, "body": ["score": 0.87, "segment": "gold"]],
        "classify": ["category": "billing", "confidence": 0.93, "labels": ["invoice", "refund"]],
        "price": ["net": 1041.25, "vat": 208.25, "gross": 1249.5],
    ]
    static let json: JSON = [
        "data": data, "config": config, "outputs": .object(outputs),
        "runtime": ["attempt": 1, "total_steps_executed": 3, "dry_run": false],
    ]

    static let scope = EvaluationScope(
        data: data, config: config, outputs: outputs,
        runtime: ["attempt": 1, "total_steps_executed": 3, "dry_run": false],
        instanceID: "0190f5a4-0000-7000-8000-000000000001"
    )

    /// The params of a typical notification step: ten templates, three of them with a filter.
    static let params: JSON = [
        "to": "{{ context.data.customer.email }}",
        "name": "{{ context.data.customer.name | upper }}",
        "subject": "Order {{ context.data.order.id }} confirmed",
        "amount": "{{ outputs.price.gross }}",
        "currency": "{{ context.data.order.currency | lower }}",
        "segment": "{{ outputs.fetch_customer.body.segment | 'standard' }}",
        "first_sku": "{{ context.data.order.lines.0.sku }}",
        "notes": "{{ context.data.notes | trim }}",
        "region": "{{ config.region }}",
        "attempt": "{{ runtime.attempt }}",
        "template_id": "order-confirmation-v3",
        "track": true,
    ]

    static let routerCondition =
        "context.data.plan == \"enterprise\" && outputs.fetch_customer.body.score > 0.8 && context.data.amount <= config.max_amount"
}
