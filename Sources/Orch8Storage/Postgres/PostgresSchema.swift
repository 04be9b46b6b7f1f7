import Foundation
import PostgresNIO

/// The schema as an append-only list of named steps, the same steps as ``SQLiteSchema`` in
/// PostgreSQL's dialect (never edit a shipped one; add the next). Nodes starting at once take an
/// advisory lock, so that exactly one applies what is missing.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        (
            "v1",
            """
            CREATE TABLE sequences (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                deprecated INTEGER NOT NULL DEFAULT 0,
                definition TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (tenant_id, namespace, name, version)
            );
            CREATE TABLE instances (
                id TEXT PRIMARY KEY,
                sequence_id TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                state TEXT NOT NULL,
                next_fire_at BIGINT,
                priority INTEGER NOT NULL,
                timezone TEXT NOT NULL,
                metadata TEXT NOT NULL,
                context TEXT NOT NULL,
                concurrency_key TEXT,
                max_concurrency BIGINT,
                idempotency_key TEXT,
                session_id TEXT,
                parent_instance_id TEXT,
                budget TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                lease_owner TEXT,
                lease_until BIGINT
            );
            CREATE UNIQUE INDEX instances_idempotency ON instances (tenant_id, idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            CREATE INDEX instances_sequence ON instances (sequence_id, state);
            CREATE INDEX instances_updated ON instances (updated_at);
            CREATE TABLE block_outputs (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL,
                instance_id TEXT NOT NULL,
                block_id TEXT NOT NULL,
                output TEXT NOT NULL,
                output_ref TEXT,
                output_size BIGINT NOT NULL,
                attempt BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX block_outputs_instance ON block_outputs (instance_id, seq);
            CREATE TABLE signals (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                instance_id TEXT NOT NULL,
                signal_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                delivered INTEGER NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                delivered_at BIGINT
            );
            CREATE INDEX signals_pending ON signals (instance_id) WHERE delivered = 0;
            CREATE TABLE instance_state (
                instance_id TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (instance_id, key)
            );
            """
        ),
        (
            "v2-plugins",
            """
            CREATE TABLE plugins (
                tenant_id TEXT NOT NULL,
                name TEXT NOT NULL,
                plugin_type TEXT NOT NULL,
                source TEXT NOT NULL,
                enabled INTEGER NOT NULL,
                config TEXT NOT NULL,
                description TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, name)
            );
            """
        ),
        (
            "v3-claim-indexes",
            // As SQLite's: claims read one priority at a time in due order; partial indexes stay as
            // small as the scheduled and running sets.
            """
            CREATE INDEX instances_claim ON instances (priority, (COALESCE(next_fire_at, 0)))
                WHERE state = 'scheduled';
            CREATE INDEX instances_leases ON instances (lease_until) WHERE state = 'running';
            """
        ),
        (
            "v4-worker-tasks",
            """
            CREATE TABLE worker_tasks (
                id TEXT PRIMARY KEY,
                instance_id TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                block_id TEXT NOT NULL,
                handler_name TEXT NOT NULL,
                queue_name TEXT,
                params TEXT NOT NULL,
                context TEXT NOT NULL,
                attempt BIGINT NOT NULL,
                timeout_ms BIGINT,
                state TEXT NOT NULL,
                worker_id TEXT,
                claimed_at BIGINT,
                heartbeat_at BIGINT,
                claim_epoch BIGINT NOT NULL DEFAULT 0,
                resume_checkpoint TEXT,
                checkpoint_seq BIGINT NOT NULL DEFAULT 0,
                completed_at BIGINT,
                output TEXT,
                error_message TEXT,
                error_retryable INTEGER,
                created_at BIGINT NOT NULL,
                deadline_at BIGINT,
                UNIQUE (instance_id, block_id)
            );
            CREATE INDEX worker_tasks_pending ON worker_tasks (handler_name, created_at) WHERE state = 'pending';
            CREATE INDEX worker_tasks_claimed ON worker_tasks (heartbeat_at) WHERE state = 'claimed';
            CREATE INDEX worker_tasks_deadline ON worker_tasks (deadline_at)
                WHERE state IN ('pending', 'claimed') AND deadline_at IS NOT NULL;
            CREATE INDEX worker_tasks_created ON worker_tasks (created_at);
            CREATE TABLE worker_task_events (
                seq BIGSERIAL PRIMARY KEY,
                task_id TEXT NOT NULL,
                event TEXT NOT NULL,
                worker_id TEXT,
                claim_epoch BIGINT NOT NULL,
                attempt BIGINT NOT NULL,
                detail TEXT,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX worker_task_events_task ON worker_task_events (task_id, seq);
            CREATE TABLE worker_registrations (
                worker_id TEXT NOT NULL,
                handler_name TEXT NOT NULL,
                queue_name TEXT NOT NULL,
                version TEXT,
                last_seen_at BIGINT NOT NULL,
                PRIMARY KEY (worker_id, handler_name, queue_name)
            );
            """
        ),
        (
            "v5-execution-tree",
            """
            CREATE TABLE execution_tree (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                instance_id TEXT NOT NULL,
                block_id TEXT NOT NULL,
                parent_id TEXT,
                block_type TEXT NOT NULL,
                branch_index BIGINT,
                state TEXT NOT NULL,
                started_at BIGINT,
                completed_at BIGINT
            );
            CREATE INDEX execution_tree_instance ON execution_tree (instance_id, seq);
            """
        ),
        (
            "v6-wakes",
            """
            ALTER TABLE instances ADD COLUMN wake_pending INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX instances_parent ON instances (parent_instance_id) WHERE parent_instance_id IS NOT NULL;
            """
        ),
        (
            "v7-triggers",
            """
            CREATE TABLE triggers (
                slug TEXT PRIMARY KEY CHECK (length(slug) BETWEEN 1 AND 128),
                sequence_name TEXT NOT NULL,
                version BIGINT,
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                enabled INTEGER NOT NULL,
                secret TEXT,
                trigger_type TEXT NOT NULL,
                config TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX triggers_tenant ON triggers (tenant_id, slug);
            CREATE TABLE event_dedupe (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                instance_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (scope, key)
            );
            CREATE INDEX event_dedupe_created ON event_dedupe (created_at);
            """
        ),
        (
            "v8-api-keys",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL CHECK (length(tenant_id) > 0),
                name TEXT,
                capabilities TEXT NOT NULL CHECK (length(capabilities) > 0),
                key_hash TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),
                prefix TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                revoked_at BIGINT
            );
            CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
            """
        ),
        (
            "v9-cron",
            """
            CREATE TABLE cron_schedules (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                namespace TEXT NOT NULL,
                sequence_id TEXT NOT NULL,
                cron_expr TEXT NOT NULL,
                timezone TEXT NOT NULL,
                enabled INTEGER NOT NULL,
                metadata TEXT NOT NULL,
                overlap_policy TEXT NOT NULL,
                skipped_fires BIGINT NOT NULL DEFAULT 0,
                last_skipped_at BIGINT,
                last_triggered_at BIGINT,
                next_fire_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX cron_schedules_due ON cron_schedules (next_fire_at)
                WHERE enabled = 1 AND next_fire_at IS NOT NULL;
            CREATE INDEX cron_schedules_tenant ON cron_schedules (tenant_id, created_at)
            """
        ),
        ("v10-output-cost", "ALTER TABLE block_outputs ADD COLUMN cost TEXT"),
    ]

    /// An arbitrary constant: the advisory lock migrations hold.
    static let lockKey: Int64 = 0x6F72_6368_38

    static func migrate(_ store: PostgresStore) async throws {
        let logger = store.logger
        try await store.transaction { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))", logger)
            try await connection.execute(
                "CREATE TABLE IF NOT EXISTS orch8_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                logger
            )
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM orch8_migrations", logger: logger)
                .decode(String.self)
            {
                applied.insert(name)
            }
            for migration in migrations where !applied.contains(migration.name) {
                // One statement per query: the extended protocol takes no more. The steps hold no
                // semicolons but the separating ones.
                for statement in migration.sql.split(separator: ";") {
                    let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !text.isEmpty { try await connection.execute(PostgresQuery(unsafeSQL: text), logger) }
                }
                let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
                try await connection.execute(
                    "INSERT INTO orch8_migrations (name, applied_at) VALUES (\(migration.name), \(now))",
                    logger
                )
            }
        }
    }
}
