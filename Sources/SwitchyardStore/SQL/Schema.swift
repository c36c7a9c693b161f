/// The schema, as forward-only migrations: each runs once, in order, recorded in `schema_version`. The
/// statements are plain SQL that SQLite and PostgreSQL both accept (BIGINT, BOOLEAN, TEXT,
/// `ON CONFLICT`), so one list serves both engines.
enum Schema {
    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE IF NOT EXISTS teams (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS virtual_keys (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL, key_prefix TEXT NOT NULL,
                    team_id TEXT, body TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT,
                    expires_at BIGINT)
                """,
                "CREATE INDEX IF NOT EXISTS virtual_keys_team ON virtual_keys (team_id)",
                """
                CREATE TABLE IF NOT EXISTS spend_log (
                    row_id TEXT PRIMARY KEY, id TEXT NOT NULL, time BIGINT NOT NULL, key_id TEXT, team_id TEXT,
                    endpoint TEXT NOT NULL, model TEXT NOT NULL, provider TEXT, upstream_model TEXT,
                    status BIGINT NOT NULL, error_class TEXT, stream BOOLEAN NOT NULL,
                    input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cached_input_tokens BIGINT NOT NULL,
                    cache_write_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,
                    cost_micro_usd BIGINT NOT NULL, priced BOOLEAN NOT NULL, latency_ms BIGINT NOT NULL,
                    ttft_ms BIGINT, attempts BIGINT NOT NULL, cache_hit BOOLEAN NOT NULL,
                    client_disconnected BOOLEAN NOT NULL, estimated BOOLEAN NOT NULL)
                """,
                "CREATE INDEX IF NOT EXISTS spend_log_time ON spend_log (time, row_id)",
                "CREATE INDEX IF NOT EXISTS spend_log_request ON spend_log (id)",
                "CREATE INDEX IF NOT EXISTS spend_log_key_time ON spend_log (key_id, time)",
                "CREATE INDEX IF NOT EXISTS spend_log_team_time ON spend_log (team_id, time)",
                "CREATE INDEX IF NOT EXISTS spend_log_model_time ON spend_log (model, time)",
                // One row per hour, key, team, model and provider: `/admin/spend` and budgets read these,
                // never the log, so they stay fast on millions of requests. '' stands for "none" (a
                // primary key cannot hold NULL).
                """
                CREATE TABLE IF NOT EXISTS spend_hourly (
                    hour BIGINT NOT NULL, key_id TEXT NOT NULL, team_id TEXT NOT NULL, model TEXT NOT NULL,
                    provider TEXT NOT NULL, requests BIGINT NOT NULL, errors BIGINT NOT NULL,
                    input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cached_input_tokens BIGINT NOT NULL,
                    cache_write_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,
                    cost_micro_usd BIGINT NOT NULL,
                    PRIMARY KEY (hour, key_id, team_id, model, provider))
                """,
                "CREATE INDEX IF NOT EXISTS spend_hourly_key ON spend_hourly (key_id, hour)",
                "CREATE INDEX IF NOT EXISTS spend_hourly_team ON spend_hourly (team_id, hour)",
                """
                CREATE TABLE IF NOT EXISTS budget_leases (
                    scope TEXT NOT NULL, period_start BIGINT NOT NULL, instance TEXT NOT NULL,
                    granted BIGINT NOT NULL, spent BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                    PRIMARY KEY (scope, period_start, instance))
                """,
                """
                CREATE TABLE IF NOT EXISTS budget_alerts (
                    scope TEXT NOT NULL, period_start BIGINT NOT NULL, at BIGINT NOT NULL,
                    PRIMARY KEY (scope, period_start))
                """,
                // The row that serialises lease grants of one budget period across instances.
                """
                CREATE TABLE IF NOT EXISTS budget_periods (
                    scope TEXT NOT NULL, period_start BIGINT NOT NULL, PRIMARY KEY (scope, period_start))
                """,
            ]
        ),
        (
            2,
            [
                // Each instance's requests and tokens per key or team and minute: RPM/TPM across instances.
                """
                CREATE TABLE IF NOT EXISTS rate_usage (
                    scope TEXT NOT NULL, minute BIGINT NOT NULL, instance TEXT NOT NULL,
                    requests BIGINT NOT NULL, tokens BIGINT NOT NULL, PRIMARY KEY (scope, minute, instance))
                """
            ]
        ),
    ]

    static let versionTable = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"
}
