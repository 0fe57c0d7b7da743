/**
 * The SQLite schema, as an ordered list of migrations. Migration `i` (0-based) brings a
 * database from `PRAGMA user_version = i` to `i + 1`; SqliteStore applies the missing ones,
 * each in its own transaction, on open.
 *
 * Append new migrations at the end; never edit or reorder one that has shipped.
 *
 * Conventions: times are INTEGER milliseconds since the epoch; booleans are INTEGER 0/1;
 * settings, permissions and audit detail are JSON text.
 */
export const MIGRATIONS: readonly string[] = [
	// 1: the first schema.
	`
	CREATE TABLE companies (
		id          TEXT PRIMARY KEY,
		name        TEXT NOT NULL,
		settings    TEXT NOT NULL CHECK (json_valid(settings)),
		created_at  INTEGER NOT NULL
	) STRICT;

	CREATE TABLE users (
		id            TEXT PRIMARY KEY,
		company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		email         TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
		name          TEXT NOT NULL,
		role          TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
		permissions   TEXT NOT NULL CHECK (json_valid(permissions)),
		disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
		password_hash TEXT NOT NULL,
		created_at    INTEGER NOT NULL
	) STRICT;
	CREATE INDEX users_company ON users (company_id, created_at);

	CREATE TABLE refresh_tokens (
		id          TEXT PRIMARY KEY,
		user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		family_id   TEXT NOT NULL,
		token_hash  TEXT NOT NULL UNIQUE,
		expires_at  INTEGER NOT NULL,
		used_at     INTEGER,
		revoked_at  INTEGER,
		created_at  INTEGER NOT NULL
	) STRICT;
	CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
	CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

	CREATE TABLE pins (
		id               TEXT PRIMARY KEY,
		company_id       TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		lookup           TEXT NOT NULL,
		watch_token_hash TEXT NOT NULL,
		created_at       INTEGER NOT NULL,
		expires_at       INTEGER NOT NULL,
		redeemed_at      INTEGER,
		redeemed_by      TEXT,
		session_id       TEXT
	) STRICT;
	CREATE INDEX pins_lookup ON pins (lookup);
	CREATE INDEX pins_watch_token_hash ON pins (watch_token_hash);
	CREATE INDEX pins_expires ON pins (expires_at);

	-- NOTE: session records outlive their PIN (PINs are deleted once expired), so pin_id is
	-- a plain column, not a foreign key.
	CREATE TABLE sessions (
		id             TEXT PRIMARY KEY,
		company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		agent_user_id  TEXT NOT NULL REFERENCES users (id),
		pin_id         TEXT,
		started_at     INTEGER NOT NULL,
		ended_at       INTEGER,
		end_reason     TEXT
	) STRICT;
	CREATE INDEX sessions_company_ended ON sessions (company_id, ended_at);

	-- NOTE: no foreign key on company_id: refusals name companies that may not exist.
	CREATE TABLE audit (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		at          INTEGER NOT NULL,
		company_id  TEXT,
		actor_type  TEXT NOT NULL CHECK (actor_type IN ('user', 'customer', 'system', 'anonymous')),
		actor_id    TEXT,
		action      TEXT NOT NULL,
		session_id  TEXT,
		detail      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
		ip          TEXT
	) STRICT;
	CREATE INDEX audit_company ON audit (company_id, id);

	CREATE TABLE attempts (
		key           TEXT PRIMARY KEY,
		window_start  INTEGER NOT NULL,
		count         INTEGER NOT NULL,
		locked_until  INTEGER
	) STRICT;
	`,
	// 2: indexes for purging what is kept only for a while (refresh tokens, audit entries, attempts).
	`
	CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
	CREATE INDEX audit_at ON audit (at);
	CREATE INDEX attempts_window ON attempts (window_start);
	`,
	// 3: a login name is unique within its company, not across the installation: an admin of
	// one company must not learn which emails exist in another (sign-in names the company).
	// NOTE: SQLite cannot drop a column's UNIQUE; the table is rebuilt (foreign keys are off
	// while migrations run, and checked before they commit).
	`
	CREATE TABLE users_new (
		id            TEXT PRIMARY KEY,
		company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		email         TEXT NOT NULL CHECK (email = lower(email)),
		name          TEXT NOT NULL,
		role          TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
		permissions   TEXT NOT NULL CHECK (json_valid(permissions)),
		disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
		password_hash TEXT NOT NULL,
		created_at    INTEGER NOT NULL,
		UNIQUE (company_id, email)
	) STRICT;
	INSERT INTO users_new SELECT id, company_id, email, name, role, permissions, disabled, password_hash, created_at FROM users;
	DROP TABLE users;
	ALTER TABLE users_new RENAME TO users;
	CREATE INDEX users_company ON users (company_id, created_at);
	`,
	// 4: each company's masking rules, saved whole (a version per save, for concurrent admins).
	`
	CREATE TABLE company_rules (
		company_id  TEXT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
		version     INTEGER NOT NULL CHECK (version > 0),
		rules       TEXT NOT NULL CHECK (json_valid(rules)),
		updated_at  INTEGER NOT NULL,
		updated_by  TEXT
	) STRICT;
	`,
	// 5: what was said in a session's chat (and supervisors' notes), for its report; kept as
	// long as the audit log.
	`
	CREATE TABLE session_messages (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		at           INTEGER NOT NULL,
		author_type  TEXT NOT NULL CHECK (author_type IN ('user', 'customer')),
		author_id    TEXT NOT NULL,
		author_name  TEXT NOT NULL,
		author_role  TEXT NOT NULL CHECK (author_role IN ('agent', 'customer', 'supervisor')),
		text         TEXT NOT NULL,
		note         INTEGER NOT NULL DEFAULT 0 CHECK (note IN (0, 1))
	) STRICT;
	CREATE INDEX session_messages_session ON session_messages (session_id, at);
	CREATE INDEX session_messages_at ON session_messages (at);
	`,
	// 6: the language and time zone of the customer who asked for a PIN (JSON), for the
	// session's cloud browser.
	`
	ALTER TABLE pins ADD COLUMN locale TEXT CHECK (locale IS NULL OR json_valid(locale));
	`,
	// 7: each company's logo for the customer's pages (small: at most 256 KB).
	`
	CREATE TABLE company_logos (
		company_id  TEXT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
		type        TEXT NOT NULL CHECK (type IN ('image/png', 'image/jpeg', 'image/webp')),
		bytes       BLOB NOT NULL CHECK (length(bytes) <= 262144)
	) STRICT;
	`,
	// 8: recordings of sessions (files in the recording storage), and each session's events
	// for its timeline. Both go with the session's report when retention deletes it.
	`
	CREATE TABLE recordings (
		id           TEXT PRIMARY KEY,
		session_id   TEXT NOT NULL,
		company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		status       TEXT NOT NULL CHECK (status IN ('recording', 'ready', 'failed')),
		started_at   INTEGER NOT NULL,
		ended_at     INTEGER,
		duration_ms  INTEGER,
		bytes        INTEGER,
		storage_key  TEXT,
		segments     TEXT NOT NULL CHECK (json_valid(segments))
	) STRICT;
	CREATE INDEX recordings_session ON recordings (session_id);
	CREATE INDEX recordings_status ON recordings (status) WHERE status = 'recording';
	CREATE TABLE session_events (
		id          INTEGER PRIMARY KEY,
		session_id  TEXT NOT NULL,
		at          INTEGER NOT NULL,
		type        TEXT NOT NULL,
		detail      TEXT NOT NULL CHECK (json_valid(detail))
	) STRICT;
	CREATE INDEX session_events_session ON session_events (session_id, at);
	`,
	// 9: the agent's wrap-up of a session (an outcome from the company's list, and notes),
	// and a supervisor's review of it for coaching (a rating and notes).
	`
	ALTER TABLE sessions ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR length(outcome) <= 80);
	ALTER TABLE sessions ADD COLUMN wrapup_notes TEXT CHECK (wrapup_notes IS NULL OR length(wrapup_notes) <= 2000);
	ALTER TABLE sessions ADD COLUMN wrapped_up_at INTEGER;
	CREATE TABLE session_reviews (
		session_id   TEXT PRIMARY KEY,
		reviewer_id  TEXT NOT NULL,
		rating       INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
		notes        TEXT NOT NULL CHECK (length(notes) <= 4000),
		at           INTEGER NOT NULL
	) STRICT;
	`,
	// 10: API keys for integrations (only a hash of each secret is kept), and the reference an
	// integration gives a PIN (a ticket id), which the session started with it keeps.
	`
	CREATE TABLE api_keys (
		id            TEXT PRIMARY KEY,
		company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
		scopes        TEXT NOT NULL CHECK (json_valid(scopes)),
		secret_hash   TEXT NOT NULL,
		created_at    INTEGER NOT NULL,
		created_by    TEXT,
		last_used_at  INTEGER,
		revoked_at    INTEGER
	) STRICT;
	CREATE INDEX api_keys_company ON api_keys (company_id, created_at);
	ALTER TABLE pins ADD COLUMN reference TEXT CHECK (reference IS NULL OR length(reference) <= 200);
	ALTER TABLE sessions ADD COLUMN reference TEXT CHECK (reference IS NULL OR length(reference) <= 200);
	CREATE INDEX sessions_reference ON sessions (company_id, reference) WHERE reference IS NOT NULL;
	CREATE TABLE audit_new (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		at          INTEGER NOT NULL,
		company_id  TEXT,
		actor_type  TEXT NOT NULL CHECK (actor_type IN ('user', 'customer', 'system', 'anonymous', 'api_key')),
		actor_id    TEXT,
		action      TEXT NOT NULL,
		session_id  TEXT,
		detail      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
		ip          TEXT
	) STRICT;
	INSERT INTO audit_new SELECT id, at, company_id, actor_type, actor_id, action, session_id, detail, ip FROM audit;
	DROP TABLE audit;
	ALTER TABLE audit_new RENAME TO audit;
	CREATE INDEX audit_company ON audit (company_id, id);
	CREATE INDEX audit_at ON audit (at);
	`,
	// 11: webhooks a company registers, and the outbox of their deliveries (kept until
	// delivered or given up, then for a while for the admin page), so that nothing is lost
	// across restarts. Each endpoint's secret is stored sealed (AES-GCM, see webhooks/secrets.ts).
	`
	CREATE TABLE webhooks (
		id           TEXT PRIMARY KEY,
		company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
		url          TEXT NOT NULL CHECK (length(url) <= 2000),
		events       TEXT NOT NULL CHECK (json_valid(events)),
		secret       TEXT NOT NULL,
		created_at   INTEGER NOT NULL,
		created_by   TEXT,
		disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
	) STRICT;
	CREATE INDEX webhooks_company ON webhooks (company_id);
	CREATE TABLE webhook_deliveries (
		id               TEXT PRIMARY KEY,
		webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
		company_id       TEXT NOT NULL,
		event_id         TEXT NOT NULL,
		event_type       TEXT NOT NULL,
		payload          TEXT NOT NULL CHECK (json_valid(payload)),
		status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
		attempts         INTEGER NOT NULL DEFAULT 0,
		next_attempt_at  INTEGER,
		last_status      INTEGER,
		last_error       TEXT,
		created_at       INTEGER NOT NULL,
		delivered_at     INTEGER
	) STRICT;
	CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
	CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);
	CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
	`,
];
