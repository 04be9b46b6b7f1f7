import GRDB

/// The schema, as GRDB migrations applied at open: an append-only list of named steps (never edit a
/// shipped one; add the next). Timestamps are integer milliseconds since the epoch (exact, sortable,
/// cheap); ids are lowercase UUID text; JSON columns hold our own compact serialization.
enum SQLiteSchema {
    static func migrate(_ writer: any DatabaseWriter) throws {
        try migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sequences (
                        id TEXT PRIMARY KEY,
                        tenant_id TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        deprecated INTEGER NOT NULL DEFAULT 0,
                        definition TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        UNIQUE (tenant_id, namespace, name, version)
                    );
                    CREATE TABLE instances (
                        id TEXT PRIMARY KEY,
                        sequence_id TEXT NOT NULL,
                        tenant_id TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        state TEXT NOT NULL,
                        next_fire_at INTEGER,
                        priority INTEGER NOT NULL,
                        timezone TEXT NOT NULL,
                        metadata TEXT NOT NULL,
                        context TEXT NOT NULL,
                        concurrency_key TEXT,
                        max_concurrency INTEGER,
                        idempotency_key TEXT,
                        session_id TEXT,
                        parent_instance_id TEXT,
                        budget TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        lease_owner TEXT,
                        lease_until INTEGER
                    );
                    CREATE UNIQUE INDEX instances_idempotency ON instances (tenant_id, idempotency_key)
                        WHERE idempotency_key IS NOT NULL;
                    CREATE INDEX instances_due ON instances (state, next_fire_at);
                    CREATE INDEX instances_sequence ON instances (sequence_id, state);
                    CREATE INDEX instances_updated ON instances (updated_at);
                    CREATE TABLE block_outputs (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL,
                        instance_id TEXT NOT NULL,
                        block_id TEXT NOT NULL,
                        output TEXT NOT NULL,
                        output_ref TEXT,
                        output_size INTEGER NOT NULL,
                        attempt INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX block_outputs_instance ON block_outputs (instance_id, seq);
                    CREATE TABLE signals (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        instance_id TEXT NOT NULL,
                        signal_type TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        delivered INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        delivered_at INTEGER
                    );
                    CREATE INDEX signals_pending ON signals (instance_id) WHERE delivered = 0;
                    CREATE TABLE instance_state (
                        instance_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (instance_id, key)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-plugins") { db in
            try db.execute(
                sql: """
                    CREATE TABLE plugins (
                        tenant_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        plugin_type TEXT NOT NULL,
                        source TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        config TEXT NOT NULL,
                        description TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (tenant_id, name)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v3-claim-indexes") { db in
            // The claim reads one priority at a time (`SQLiteStore.claimSQL`): a range scan per
            // priority stops after `limit` rows however many instances are due or waiting. The
            // (state, next_fire_at) index made SQLite sort every due row on each claim. Partial
            // indexes stay as small as the scheduled and running sets, not the whole history.
            // IFNULL: a scheduled instance without a time is due, and first (NULLS FIRST).
            try db.execute(
                sql: """
                    DROP INDEX instances_due;
                    CREATE INDEX instances_claim ON instances (priority, IFNULL(next_fire_at, 0))
                        WHERE state = 'scheduled';
                    CREATE INDEX instances_leases ON instances (lease_until) WHERE state = 'running';
                    """
            )
        }
        migrator.registerMigration("v4-worker-tasks") { db in
            // One task per (instance, step): a retry requeues the same row with the next attempt, so
            // that the claim epoch keeps growing and a stale worker is always fenced out.
            // `deadline_at` is created_at + timeout_ms, so that the reaper finds expired tasks by index.
            try db.execute(
                sql: """
                    CREATE TABLE worker_tasks (
                        id TEXT PRIMARY KEY,
                        instance_id TEXT NOT NULL,
                        tenant_id TEXT NOT NULL,
                        block_id TEXT NOT NULL,
                        handler_name TEXT NOT NULL,
                        queue_name TEXT,
                        params TEXT NOT NULL,
                        context TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        timeout_ms INTEGER,
                        state TEXT NOT NULL,
                        worker_id TEXT,
                        claimed_at INTEGER,
                        heartbeat_at INTEGER,
                        claim_epoch INTEGER NOT NULL DEFAULT 0,
                        resume_checkpoint TEXT,
                        checkpoint_seq INTEGER NOT NULL DEFAULT 0,
                        completed_at INTEGER,
                        output TEXT,
                        error_message TEXT,
                        error_retryable INTEGER,
                        created_at INTEGER NOT NULL,
                        deadline_at INTEGER,
                        UNIQUE (instance_id, block_id)
                    );
                    CREATE INDEX worker_tasks_pending ON worker_tasks (handler_name, created_at)
                        WHERE state = 'pending';
                    CREATE INDEX worker_tasks_claimed ON worker_tasks (heartbeat_at) WHERE state = 'claimed';
                    CREATE INDEX worker_tasks_deadline ON worker_tasks (deadline_at)
                        WHERE state IN ('pending', 'claimed') AND deadline_at IS NOT NULL;
                    CREATE INDEX worker_tasks_created ON worker_tasks (created_at);
                    CREATE TABLE worker_task_events (
                        seq INTEGER PRIMARY KEY,
                        task_id TEXT NOT NULL,
                        event TEXT NOT NULL,
                        worker_id TEXT,
                        claim_epoch INTEGER NOT NULL,
                        attempt INTEGER NOT NULL,
                        detail TEXT,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX worker_task_events_task ON worker_task_events (task_id, seq);
                    CREATE TABLE worker_registrations (
                        worker_id TEXT NOT NULL,
                        handler_name TEXT NOT NULL,
                        queue_name TEXT NOT NULL,
                        version TEXT,
                        last_seen_at INTEGER NOT NULL,
                        PRIMARY KEY (worker_id, handler_name, queue_name)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v5-execution-tree") { db in
            // One row per evaluated block of an instance; `seq` keeps the order nodes were created in.
            try db.execute(
                sql: """
                    CREATE TABLE execution_tree (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        instance_id TEXT NOT NULL,
                        block_id TEXT NOT NULL,
                        parent_id TEXT,
                        block_type TEXT NOT NULL,
                        branch_index INTEGER,
                        state TEXT NOT NULL,
                        started_at INTEGER,
                        completed_at INTEGER
                    );
                    CREATE INDEX execution_tree_instance ON execution_tree (instance_id, seq);
                    """
            )
        }
        migrator.registerMigration("v6-wakes") { db in
            // Set when a wake (worker report, child end, gate answer) finds the instance running: its
            // park to `waiting` then makes it due instead, so the wake is not lost.
            try db.execute(
                sql: """
                    ALTER TABLE instances ADD COLUMN wake_pending INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX instances_parent ON instances (parent_instance_id) WHERE parent_instance_id IS NOT NULL;
                    """
            )
        }
        migrator.registerMigration("v7-triggers") { db in
            // Slugs are global: the key of the table, as in the original. `event_dedupe` remembers
            // `emit_event` keys for 30 days; a rowid table so that expired rows can be pruned a few at
            // a time by age (`event_dedupe_created`).
            try db.execute(
                sql: """
                    CREATE TABLE triggers (
                        slug TEXT PRIMARY KEY CHECK (length(slug) BETWEEN 1 AND 128),
                        sequence_name TEXT NOT NULL,
                        version INTEGER,
                        tenant_id TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        secret TEXT,
                        trigger_type TEXT NOT NULL,
                        config TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX triggers_tenant ON triggers (tenant_id, slug);
                    CREATE TABLE event_dedupe (
                        scope TEXT NOT NULL,
                        key TEXT NOT NULL,
                        instance_id TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (scope, key)
                    );
                    CREATE INDEX event_dedupe_created ON event_dedupe (created_at);
                    """
            )
        }
        migrator.registerMigration("v8-api-keys") { db in
            // Per-tenant keys: only the SHA-256 of a key is kept (`key_hash`, the lookup of every
            // request that presents one); revoked keys stay, with `revoked_at`, so that listings
            // show what was revoked and when.
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        tenant_id TEXT NOT NULL CHECK (length(tenant_id) > 0),
                        name TEXT,
                        capabilities TEXT NOT NULL CHECK (length(capabilities) > 0),
                        key_hash TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),
                        prefix TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER,
                        revoked_at INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
                    """
            )
        }
        migrator.registerMigration("v9-cron") { db in
            // `cron_schedules_due` holds only the schedules that can fire, in the order the cron loop
            // takes them.
            try db.execute(
                sql: """
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
                        skipped_fires INTEGER NOT NULL DEFAULT 0,
                        last_skipped_at INTEGER,
                        last_triggered_at INTEGER,
                        next_fire_at INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX cron_schedules_due ON cron_schedules (next_fire_at)
                        WHERE enabled = 1 AND next_fire_at IS NOT NULL;
                    CREATE INDEX cron_schedules_tenant ON cron_schedules (tenant_id, created_at);
                    """
            )
        }
        migrator.registerMigration("v10-output-cost") { db in
            try db.execute(sql: "ALTER TABLE block_outputs ADD COLUMN cost TEXT")
        }
        return migrator
    }
}
