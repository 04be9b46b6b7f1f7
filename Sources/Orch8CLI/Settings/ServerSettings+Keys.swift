import Logging
import Orch8API
import Orch8Engine
import Orch8Plugins

extension ServerSettings {
    /// Every setting of `orch8 serve`, grouped as in `orch8.toml`. docs/configuration.md describes
    /// each; keep the two in step.
    static let keys: [SettingKey] = api + database + engineKeys + process + plugins

    private static let api: [SettingKey] = [
        SettingKey("api.http_addr", env: "ORCH8_HTTP_ADDR", flag: "--http-addr") { settings, value in
            let address = try ListenAddress(parsing: try value.string())
            settings.api.host = address.host
            settings.api.port = address.port
        },
        SettingKey("api.api_key", env: "ORCH8_API_KEY") { settings, value in
            let key = try value.string()
            settings.apiKey = key.isEmpty ? nil : key
        },
        SettingKey("api.insecure", env: "ORCH8_INSECURE", flag: "--insecure") { settings, value in
            settings.insecure = try value.bool()
        },
        SettingKey("api.require_tenant_header", env: "ORCH8_REQUIRE_TENANT_HEADER") { settings, value in
            settings.api.requireTenantHeader = try value.bool()
        },
        SettingKey("api.allow_no_tenant_isolation", env: "ORCH8_ALLOW_NO_TENANT_ISOLATION") { settings, value in
            settings.api.allowNoTenantIsolation = try value.bool()
        },
        SettingKey("api.max_body_bytes", env: "ORCH8_MAX_BODY_BYTES") { settings, value in
            settings.api.maxBodyBytes = try value.integer(1...(1 << 34), "a positive number of bytes")
        },
        SettingKey("api.env_label", env: "ORCH8_ENV_LABEL") { settings, value in
            settings.api.environmentLabel = try value.string()
        },
        SettingKey("api.env_color", env: "ORCH8_ENV_COLOR") { settings, value in
            settings.api.environmentColor = try value.string()
        },
    ]

    private static let database: [SettingKey] = [
        SettingKey("database.url", env: "ORCH8_DATABASE_URL", flag: "--database-url") { settings, value in
            let url = try value.string()
            guard !url.isEmpty else {
                throw SettingProblem(
                    "expected sqlite://PATH, sqlite::memory: or postgres://USER@HOST:PORT/DB, got \"\""
                )
            }
            settings.databaseURL = url
        },
        SettingKey("database.max_connections", env: "ORCH8_DATABASE_MAX_CONNECTIONS") { settings, value in
            settings.databaseMaxConnections = try value.integer(1...10_000, "a number of connections from 1 to 10000")
        },
        SettingKey("database.durable", env: "ORCH8_DURABLE", flag: "--durable") { settings, value in
            settings.durable = try value.bool()
        },
    ]

    private static let engineKeys: [SettingKey] = [
        SettingKey("engine.tick_interval_ms", env: "ORCH8_TICK_INTERVAL_MS") { settings, value in
            let milliseconds = try value.integer(1...3_600_000, "a number of milliseconds from 1 to 3600000")
            settings.engine.tickInterval = .milliseconds(milliseconds)
        },
        SettingKey("engine.batch_size", env: "ORCH8_BATCH_SIZE") { settings, value in
            settings.engine.claimBatchSize = try value.integer(1...100_000, "a positive integer (at most 100000)")
        },
        SettingKey("engine.max_concurrent_steps", env: "ORCH8_MAX_CONCURRENT_STEPS") { settings, value in
            settings.engine.maxConcurrentInstances = try value.integer(
                1...100_000,
                "a positive integer (at most 100000)"
            )
        },
        SettingKey("engine.shutdown_grace_period_secs", env: "ORCH8_SHUTDOWN_GRACE_PERIOD_SECS") { settings, value in
            settings.engine.shutdownGracePeriod = try value.seconds()
        },
        SettingKey("engine.max_context_bytes", env: "ORCH8_MAX_CONTEXT_BYTES") { settings, value in
            settings.api.maxContextBytes = try value.integer(0...(1 << 34), "a number of bytes (0 turns the check off)")
        },
        SettingKey("engine.lease_secs", env: "ORCH8_LEASE_SECS") { settings, value in
            settings.engine.leaseDuration = try value.seconds()
        },
        SettingKey("engine.worker_reaper_tick_secs", env: "ORCH8_WORKER_REAPER_TICK_SECS") { settings, value in
            settings.engine.workerReaperInterval = try value.seconds()
        },
        SettingKey("engine.worker_reaper_stale_secs", env: "ORCH8_WORKER_REAPER_STALE_SECS") { settings, value in
            settings.engine.workerStaleAfter = try value.seconds()
        },
        SettingKey("engine.cron_tick_secs", env: "ORCH8_CRON_TICK_SECS") { settings, value in
            settings.engine.cronTickInterval = try value.seconds()
        },
    ]

    private static let process: [SettingKey] = [
        SettingKey("node.id", env: "ORCH8_NODE_ID", flag: "--node-id") { settings, value in
            let id = try value.string()
            settings.nodeID = id.isEmpty ? nil : id
        },
        SettingKey("logging.level", env: "ORCH8_LOG_LEVEL", flag: "--log-level") { settings, value in
            let text = (try? value.string())?.lowercased() ?? ""
            guard let level = text == "warn" ? Logger.Level.warning : Logger.Level(rawValue: text) else {
                throw SettingProblem.expected("trace, debug, info, notice, warning, error or critical", got: value)
            }
            settings.logLevel = level
        },
        SettingKey("logging.json", env: "ORCH8_LOG_JSON", flag: "--log-json") { settings, value in
            settings.logJSON = try value.bool()
        },
        SettingKey("handlers.allow_internal_urls", env: "ORCH8_ALLOW_INTERNAL_URLS") { settings, value in
            settings.allowInternalURLs = try value.bool()
        },
    ]

    private static let plugins: [SettingKey] = [
        SettingKey("plugins.wasm.enabled", env: "ORCH8_WASM_ENABLED") { settings, value in
            settings.wasm.enabled = try value.bool()
        },
        SettingKey("plugins.wasm.max_memory_pages", env: "ORCH8_WASM_MAX_MEMORY_PAGES") { settings, value in
            settings.wasm.maxMemoryPages = try value.integer(1...65_536, "a number of 64 KiB pages from 1 to 65536")
        },
        SettingKey("plugins.wasm.trial_fuel", env: "ORCH8_WASM_TRIAL_FUEL") { settings, value in
            settings.wasm.trialFuel = UInt64(
                try value.integer(0...10_000_000, "a number of instructions from 0 (off) to 10000000")
            )
        },
        SettingKey("plugins.grpc.allowed_hosts", env: "ORCH8_GRPC_ALLOWED_HOSTS") { settings, value in
            settings.grpcAllowedHosts = try value.stringList()
        },
        SettingKey("plugins.grpc.tls_ca", env: "ORCH8_GRPC_TLS_CA") { settings, value in
            settings.grpcTLS.ca = try value.string()
        },
        SettingKey("plugins.grpc.tls_cert", env: "ORCH8_GRPC_TLS_CERT") { settings, value in
            settings.grpcTLS.certificate = try value.string()
        },
        SettingKey("plugins.grpc.tls_key", env: "ORCH8_GRPC_TLS_KEY") { settings, value in
            settings.grpcTLS.key = try value.string()
        },
    ]

    /// Keys of the original Orch8's file (ORCH8-SPEC §9) that this server does not implement: a file
    /// written for it starts, with a warning for each instead of "unknown key". Entries ending in
    /// `.` cover a whole table.
    static let unimplementedKeys: [String] = [
        "node.role", "database.backend", "database.run_migrations", "database.search_path",
        "engine.stale_instance_threshold_secs", "engine.max_instances_per_tenant",
        "engine.externalize_output_threshold", "engine.encryption_key", "engine.externalization_mode",
        "engine.node_reaper_tick_secs", "engine.node_reaper_stale_secs", "engine.max_steps_per_instance",
        "engine.artifact_retention_secs", "engine.instance_retention_secs", "engine.webhooks.", "api.grpc_addr",
        "api.grpc_tls_", "api.cors_origins", "api.max_concurrent_requests", "api.rate_limit_rps", "artifacts.",
        "telemetry.",
    ]
}
