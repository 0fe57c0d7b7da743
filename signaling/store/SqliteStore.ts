/**
 * The embedded store: one SQLite file (better-sqlite3), no setup. better-sqlite3 is
 * synchronous; each method runs its statement at once and returns a settled promise, so
 * callers see the async Store interface that a server database would also satisfy.
 *
 * The database runs in WAL mode (readers do not block the writer), with foreign keys on and
 * a busy timeout, so a CLI opening the same file waits instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError } from '../../protocol/errors.js';
import { MIGRATIONS } from './migrations.js';
import { DEFAULT_COMPANY_RULES, DEFAULT_COMPANY_SETTINGS } from './Store.js';
import type {
	ApiKey,
	Webhook,
	WebhookDelivery,
	AttemptLimits,
	AttemptResult,
	AuditActor,
	AuditEntry,
	AuditFilter,
	Company,
	CompanyRules,
	CompanySettings,
	NewAuditEntry,
	Permissions,
	Pin,
	RefreshToken,
	CompanyLogo,
	RecordingRecord,
	SessionMessage,
	SessionReview,
	StoredSessionEvent,
	SessionRecord,
	Store,
	User,
	UserRole,
} from './Store.js';

/** How long a write waits for another connection's lock before failing, in ms. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

type Row = Record<string, unknown>;
type UserPatch = Parameters<Store['updateUser']>[1];

export class SqliteStore implements Store {
	readonly #db: Database.Database;
	readonly #statements = new Map<string, Database.Statement>();

	private constructor(db: Database.Database) {
		this.#db = db;
	}

	/**
	 * Opens (creating if needed) the database at `file` and brings its schema up to date.
	 * A new file is created with mode 0600 in a directory created with mode 0700. Pass
	 * `':memory:'` for a private in-memory database (tests).
	 */
	static open(file: string): SqliteStore {
		if (file !== ':memory:' && !fs.existsSync(file)) {
			fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
			// NOTE: create the file ourselves so it is 0600 from its first byte; SQLite then
			// gives the -wal and -shm files the same mode.
			fs.closeSync(fs.openSync(file, 'a', 0o600));
		}
		const db = new Database(file);
		try {
			db.pragma('journal_mode = WAL');
			db.pragma('foreign_keys = ON');
			db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
			db.pragma('synchronous = NORMAL');
			SqliteStore.#migrate(db);
		} catch (error) {
			db.close();
			throw error;
		}
		return new SqliteStore(db);
	}

	/** The schema version of the open database (the number of migrations applied). */
	get schemaVersion(): number {
		return this.#db.pragma('user_version', { simple: true }) as number;
	}

	static #migrate(db: Database.Database): void {
		const current = db.pragma('user_version', { simple: true }) as number;
		if (current > MIGRATIONS.length) {
			throw new Error(`database schema version ${current} is newer than this build knows (${MIGRATIONS.length}); upgrade Alongside`);
		}
		if (current === MIGRATIONS.length) return;
		// NOTE: a migration that rebuilds a table must not cascade deletes or trip references
		// half-way; foreign keys are off while migrations run (the pragma is a no-op inside a
		// transaction, hence here) and each migration checks them before it commits.
		db.pragma('foreign_keys = OFF');
		try {
			for (let version = current; version < MIGRATIONS.length; version++) {
				const apply = db.transaction(() => {
					db.exec(MIGRATIONS[version] as string);
					const broken = db.pragma('foreign_key_check') as unknown[];
					if (broken.length > 0) throw new Error(`migration ${version + 1} would break ${broken.length} foreign key references`);
					db.pragma(`user_version = ${version + 1}`);
				});
				// NOTE: IMMEDIATE takes the write lock first, so two processes opening a fresh file
				// at once cannot both apply the same migration.
				apply.immediate();
			}
		} finally {
			db.pragma('foreign_keys = ON');
		}
	}

	#q(sql: string): Database.Statement {
		let statement = this.#statements.get(sql);
		if (!statement) {
			statement = this.#db.prepare(sql);
			this.#statements.set(sql, statement);
		}
		return statement;
	}

	/** Runs an insert, turning a uniqueness violation into a `conflict` error naming `what`. */
	#insert(sql: string, what: string, params: Row): void {
		try {
			this.#q(sql).run(params);
		} catch (error) {
			if (error instanceof Database.SqliteError && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(error.code)) {
				throw new ConflictError(`${what} already exists`);
			}
			throw error;
		}
	}

	// Companies -------------------------------------------------------------------------

	async countCompanies(): Promise<number> {
		return (this.#q('SELECT count(*) AS n FROM companies').get() as { n: number }).n;
	}

	async getCompany(id: string): Promise<Company | undefined> {
		const row = this.#q('SELECT * FROM companies WHERE id = ?').get(id) as Row | undefined;
		return row && toCompany(row);
	}

	async createCompany(company: Company): Promise<void> {
		this.#insert('INSERT INTO companies (id, name, settings, created_at) VALUES (@id, @name, @settings, @createdAt)', 'company', {
			id: company.id,
			name: company.name,
			settings: JSON.stringify(company.settings),
			createdAt: company.createdAt,
		});
	}

	async updateCompanySettings(id: string, settings: CompanySettings): Promise<void> {
		this.#q('UPDATE companies SET settings = ? WHERE id = ?').run(JSON.stringify(settings), id);
	}

	async getRules(companyId: string): Promise<CompanyRules> {
		const row = this.#q('SELECT * FROM company_rules WHERE company_id = ?').get(companyId) as Row | undefined;
		return row ? toRules(row) : { ...DEFAULT_COMPANY_RULES };
	}

	async saveRules(companyId: string, rules: Pick<CompanyRules, 'disabledBuiltins' | 'mask'>, expectedVersion: number, at: number, userId: string): Promise<CompanyRules | undefined> {
		const save = this.#db.transaction((): CompanyRules | undefined => {
			const row = this.#q('SELECT version FROM company_rules WHERE company_id = ?').get(companyId) as { version: number } | undefined;
			if ((row?.version ?? 0) !== expectedVersion) return undefined;
			const saved: CompanyRules = { version: expectedVersion + 1, disabledBuiltins: rules.disabledBuiltins, mask: rules.mask, updatedAt: at, updatedBy: userId };
			this.#q(
				`INSERT INTO company_rules (company_id, version, rules, updated_at, updated_by) VALUES (@companyId, @version, @rules, @at, @userId)
				 ON CONFLICT (company_id) DO UPDATE SET version = excluded.version, rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			).run({ companyId, version: saved.version, rules: JSON.stringify({ disabledBuiltins: saved.disabledBuiltins, mask: saved.mask }), at, userId });
			return saved;
		});
		return save.immediate();
	}

	// Users -----------------------------------------------------------------------------

	async getUser(id: string): Promise<User | undefined> {
		const row = this.#q('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
		return row && toUser(row);
	}

	async getUserByEmail(companyId: string, email: string): Promise<User | undefined> {
		const row = this.#q('SELECT * FROM users WHERE company_id = ? AND email = ?').get(companyId, email.toLowerCase()) as Row | undefined;
		return row && toUser(row);
	}

	async listUsers(companyId: string): Promise<User[]> {
		return (this.#q('SELECT * FROM users WHERE company_id = ? ORDER BY created_at, email').all(companyId) as Row[]).map(toUser);
	}

	async createUser(user: User): Promise<void> {
		this.#insert(
			`INSERT INTO users (id, company_id, email, name, role, permissions, disabled, password_hash, created_at)
			 VALUES (@id, @companyId, @email, @name, @role, @permissions, @disabled, @passwordHash, @createdAt)`,
			'a user with this email',
			{
				id: user.id,
				companyId: user.companyId,
				email: user.email.toLowerCase(),
				name: user.name,
				role: user.role,
				permissions: JSON.stringify(user.permissions),
				disabled: user.disabled ? 1 : 0,
				passwordHash: user.passwordHash,
				createdAt: user.createdAt,
			},
		);
	}

	async updateUser(id: string, patch: UserPatch, options: { keepAnAdminIn?: string } = {}): Promise<boolean> {
		const values: Row = {
			name: patch.name,
			role: patch.role,
			permissions: patch.permissions && JSON.stringify(patch.permissions),
			disabled: patch.disabled === undefined ? undefined : patch.disabled ? 1 : 0,
			password_hash: patch.passwordHash,
		};
		const columns = Object.keys(values).filter((column) => values[column] !== undefined);
		if (columns.length === 0) return this.#q('SELECT 1 FROM users WHERE id = ?').get(id) !== undefined;
		const params: Row = { id, keep: options.keepAnAdminIn ?? null };
		for (const column of columns) params[column] = values[column];
		const sets = columns.map((column) => `${column} = @${column}`).join(', ');
		const guard = `@keep IS NULL OR EXISTS (SELECT 1 FROM users other WHERE other.company_id = @keep
			AND other.id != @id AND other.role = 'admin' AND other.disabled = 0)`;
		return this.#q(`UPDATE users SET ${sets} WHERE id = @id AND (${guard})`).run(params).changes === 1;
	}

	// Refresh tokens --------------------------------------------------------------------

	async insertRefreshToken(token: RefreshToken): Promise<void> {
		this.#insert(
			`INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, used_at, revoked_at, created_at)
			 VALUES (@id, @userId, @familyId, @tokenHash, @expiresAt, @usedAt, @revokedAt, @createdAt)`,
			'refresh token',
			{ ...token },
		);
	}

	async getRefreshTokenByHash(tokenHash: string): Promise<RefreshToken | undefined> {
		const row = this.#q('SELECT * FROM refresh_tokens WHERE token_hash = ?').get(tokenHash) as Row | undefined;
		return row && toRefreshToken(row);
	}

	async useRefreshToken(id: string, at: number): Promise<boolean> {
		const result = this.#q('UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL').run(at, id);
		return result.changes === 1;
	}

	async revokeRefreshFamily(familyId: string, at: number): Promise<void> {
		this.#q('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL').run(at, familyId);
	}

	async revokeUserRefreshTokens(userId: string, at: number): Promise<void> {
		this.#q('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(at, userId);
	}

	// PINs ------------------------------------------------------------------------------

	async insertPin(pin: Pin): Promise<void> {
		this.#insert(
			`INSERT INTO pins (id, company_id, lookup, watch_token_hash, created_at, expires_at, redeemed_at, redeemed_by, session_id, locale, reference)
			 VALUES (@id, @companyId, @lookup, @watchTokenHash, @createdAt, @expiresAt, @redeemedAt, @redeemedBy, @sessionId, @locale, @reference)`,
			'PIN',
			{ ...pin, locale: pin.locale ? JSON.stringify(pin.locale) : null, reference: pin.reference ?? null },
		);
	}

	async findOpenPin(lookup: string, now: number): Promise<Pin | undefined> {
		const row = this.#q('SELECT * FROM pins WHERE lookup = ? AND redeemed_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1').get(lookup, now) as
			| Row
			| undefined;
		return row && toPin(row);
	}

	async getPinByWatchTokenHash(watchTokenHash: string): Promise<Pin | undefined> {
		const row = this.#q('SELECT * FROM pins WHERE watch_token_hash = ?').get(watchTokenHash) as Row | undefined;
		return row && toPin(row);
	}

	async redeemPin(id: string, at: number, userId: string, sessionId: string): Promise<boolean> {
		const result = this.#q(
			'UPDATE pins SET redeemed_at = @at, redeemed_by = @userId, session_id = @sessionId WHERE id = @id AND redeemed_at IS NULL AND expires_at > @at',
		).run({ id, at, userId, sessionId });
		return result.changes === 1;
	}

	async deleteExpiredPins(now: number): Promise<number> {
		return this.#q('DELETE FROM pins WHERE expires_at < ?').run(now).changes;
	}

	async deleteSessionPins(sessionId: string): Promise<number> {
		return this.#q('DELETE FROM pins WHERE session_id = ?').run(sessionId).changes;
	}

	// Session records -------------------------------------------------------------------

	async insertSession(record: SessionRecord): Promise<void> {
		this.#insert(
			`INSERT INTO sessions (id, company_id, agent_user_id, pin_id, started_at, ended_at, end_reason, reference)
			 VALUES (@id, @companyId, @agentUserId, @pinId, @startedAt, @endedAt, @endReason, @reference)`,
			'session',
			{
				id: record.id,
				companyId: record.companyId,
				agentUserId: record.agentUserId,
				pinId: record.pinId,
				startedAt: record.startedAt,
				endedAt: record.endedAt,
				endReason: record.endReason,
				reference: record.reference ?? null,
			},
		);
	}

	async reportSessions(companyId: string, options: { from: number; to: number; agentUserId?: string; limit: number }): Promise<Array<SessionRecord & { refusals: Record<string, number>; recorded: boolean }>> {
		const params = { companyId, from: options.from, to: options.to, agent: options.agentUserId ?? null, limit: options.limit };
		const rows = this.#q(
			`SELECT s.*, EXISTS (SELECT 1 FROM recordings r WHERE r.session_id = s.id AND r.status = 'ready') AS recorded
			 FROM sessions s WHERE s.company_id = @companyId AND s.started_at >= @from AND s.started_at < @to AND (@agent IS NULL OR s.agent_user_id = @agent)
			 ORDER BY s.started_at, s.id LIMIT @limit`,
		).all(params) as Row[];
		const refusals = this.#q(
			`SELECT e.session_id AS session, json_extract(e.detail, '$.reason') AS reason, count(*) AS n FROM session_events e JOIN sessions s ON s.id = e.session_id
			 WHERE s.company_id = @companyId AND s.started_at >= @from AND s.started_at < @to AND (@agent IS NULL OR s.agent_user_id = @agent) AND e.type = 'input.refused'
			 GROUP BY e.session_id, reason`,
		).all({ companyId, from: options.from, to: options.to, agent: params.agent }) as Row[];
		const bySession = new Map<string, Record<string, number>>();
		for (const r of refusals) {
			const counts = bySession.get(r.session as string) ?? {};
			counts[String(r.reason ?? 'unknown')] = r.n as number;
			bySession.set(r.session as string, counts);
		}
		return rows.map((row) => ({ ...toSession(row), refusals: bySession.get(row.id as string) ?? {}, recorded: row.recorded === 1 }));
	}

	async wrapUpSession(id: string, wrapUp: { outcome: string; notes: string; at: number }): Promise<void> {
		this.#q('UPDATE sessions SET outcome = ?, wrapup_notes = ?, wrapped_up_at = ? WHERE id = ?').run(wrapUp.outcome, wrapUp.notes, wrapUp.at, id);
	}

	async saveReview(review: SessionReview): Promise<void> {
		this.#q(
			`INSERT INTO session_reviews (session_id, reviewer_id, rating, notes, at) VALUES (@sessionId, @reviewerId, @rating, @notes, @at)
			 ON CONFLICT (session_id) DO UPDATE SET reviewer_id = excluded.reviewer_id, rating = excluded.rating, notes = excluded.notes, at = excluded.at`,
		).run(review);
	}

	async getReview(sessionId: string): Promise<SessionReview | undefined> {
		const row = this.#q('SELECT * FROM session_reviews WHERE session_id = ?').get(sessionId) as Row | undefined;
		return row && { sessionId: row.session_id as string, reviewerId: row.reviewer_id as string, rating: (row.rating as number | null) ?? null, notes: row.notes as string, at: row.at as number };
	}

	async endSession(id: string, at: number, reason: string): Promise<void> {
		// NOTE: the first end wins; a later end (e.g. shutdown after the agent ended) keeps it.
		this.#q('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL').run(at, reason, id);
	}

	async getSession(id: string): Promise<SessionRecord | undefined> {
		const row = this.#q('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
		return row && toSession(row);
	}

	async listSessions(companyId: string, options: { live?: boolean; reference?: string; before?: number; limit: number }): Promise<SessionRecord[]> {
		const live = options.live === undefined ? '' : options.live ? 'AND ended_at IS NULL' : 'AND ended_at IS NOT NULL';
		const rows = this.#q(
			`SELECT * FROM sessions WHERE company_id = @companyId ${live} AND (@reference IS NULL OR reference = @reference) AND (@before IS NULL OR started_at < @before)
			 ORDER BY started_at DESC, id LIMIT @limit`,
		).all({ companyId, reference: options.reference ?? null, before: options.before ?? null, limit: options.limit }) as Row[];
		return rows.map(toSession);
	}

	// Webhooks --------------------------------------------------------------------------

	async insertWebhook(webhook: Webhook): Promise<void> {
		this.#insert(
			`INSERT INTO webhooks (id, company_id, url, events, secret, created_at, created_by, disabled)
			 VALUES (@id, @companyId, @url, @events, @secret, @createdAt, @createdBy, @disabled)`,
			'webhook',
			{ ...webhook, events: JSON.stringify(webhook.events), disabled: webhook.disabled ? 1 : 0 },
		);
	}

	async getWebhook(id: string): Promise<Webhook | undefined> {
		const row = this.#q('SELECT * FROM webhooks WHERE id = ?').get(id) as Row | undefined;
		return row && toWebhook(row);
	}

	async listWebhooks(companyId: string): Promise<Webhook[]> {
		return (this.#q('SELECT * FROM webhooks WHERE company_id = ? ORDER BY created_at, id').all(companyId) as Row[]).map(toWebhook);
	}

	async updateWebhook(companyId: string, id: string, patch: Partial<Pick<Webhook, 'url' | 'events' | 'disabled'>>): Promise<boolean> {
		const result = this.#q(
			`UPDATE webhooks SET url = coalesce(@url, url), events = coalesce(@events, events), disabled = coalesce(@disabled, disabled) WHERE id = @id AND company_id = @companyId`,
		).run({ id, companyId, url: patch.url ?? null, events: patch.events ? JSON.stringify(patch.events) : null, disabled: patch.disabled === undefined ? null : patch.disabled ? 1 : 0 });
		return result.changes === 1;
	}

	async deleteWebhook(companyId: string, id: string): Promise<boolean> {
		return this.#q('DELETE FROM webhooks WHERE id = ? AND company_id = ?').run(id, companyId).changes === 1;
	}

	async insertDeliveries(deliveries: WebhookDelivery[]): Promise<void> {
		const insert = this.#q(
			`INSERT INTO webhook_deliveries (id, webhook_id, company_id, event_id, event_type, payload, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at)
			 VALUES (@id, @webhookId, @companyId, @eventId, @eventType, @payload, @status, @attempts, @nextAttemptAt, @lastStatus, @lastError, @createdAt, @deliveredAt)`,
		);
		this.#db.transaction(() => {
			for (const delivery of deliveries) insert.run(delivery);
		})();
	}

	async dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]> {
		return (this.#q(`SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`).all(now, limit) as Row[]).map(toDelivery);
	}

	async nextDeliveryAt(): Promise<number | null> {
		const row = this.#q(`SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'`).get() as Row | undefined;
		return (row?.at as number | null | undefined) ?? null;
	}

	async updateDelivery(id: string, patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastError' | 'deliveredAt'>>): Promise<void> {
		const columns: Record<string, string> = { status: 'status', attempts: 'attempts', nextAttemptAt: 'next_attempt_at', lastStatus: 'last_status', lastError: 'last_error', deliveredAt: 'delivered_at' };
		const keys = Object.keys(patch).filter((k) => k in columns);
		if (keys.length === 0) return;
		this.#q(`UPDATE webhook_deliveries SET ${keys.map((k) => `${columns[k]} = @${k}`).join(', ')} WHERE id = @id`).run({ id, ...patch });
	}

	async getDelivery(id: string): Promise<WebhookDelivery | undefined> {
		const row = this.#q('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as Row | undefined;
		return row && toDelivery(row);
	}

	async listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
		return (this.#q('SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, id LIMIT ?').all(webhookId, limit) as Row[]).map(toDelivery);
	}

	async purgeDeliveries(before: number): Promise<number> {
		return this.#q(`DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?`).run(before).changes;
	}

	// API keys --------------------------------------------------------------------------

	async insertApiKey(key: ApiKey): Promise<void> {
		this.#insert(
			`INSERT INTO api_keys (id, company_id, name, scopes, secret_hash, created_at, created_by, last_used_at, revoked_at)
			 VALUES (@id, @companyId, @name, @scopes, @secretHash, @createdAt, @createdBy, @lastUsedAt, @revokedAt)`,
			'API key',
			{ ...key, scopes: JSON.stringify(key.scopes) },
		);
	}

	async getApiKey(id: string): Promise<ApiKey | undefined> {
		const row = this.#q('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
		return row && toApiKey(row);
	}

	async listApiKeys(companyId: string): Promise<ApiKey[]> {
		return (this.#q('SELECT * FROM api_keys WHERE company_id = ? ORDER BY created_at DESC, id').all(companyId) as Row[]).map(toApiKey);
	}

	async revokeApiKey(companyId: string, id: string, at: number): Promise<boolean> {
		return this.#q('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND company_id = ? AND revoked_at IS NULL').run(at, id, companyId).changes === 1;
	}

	async touchApiKey(id: string, at: number): Promise<void> {
		this.#q('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(at, id);
	}

	async listCompanyIds(): Promise<string[]> {
		return (this.#q('SELECT id FROM companies ORDER BY id').all() as Row[]).map((row) => row.id as string);
	}

	async insertSessionEvent(event: StoredSessionEvent): Promise<void> {
		this.#q('INSERT INTO session_events (session_id, at, type, detail) VALUES (?, ?, ?, ?)').run(event.sessionId, event.at, event.type, JSON.stringify(event.detail));
	}

	async listSessionEvents(sessionId: string): Promise<StoredSessionEvent[]> {
		const rows = this.#q('SELECT * FROM session_events WHERE session_id = ? ORDER BY at, id').all(sessionId) as Row[];
		return rows.map((row) => ({ sessionId: row.session_id as string, at: row.at as number, type: row.type as string, detail: JSON.parse(row.detail as string) as Record<string, unknown> }));
	}

	async listEndedSessions(companyId: string, before: number, limit: number): Promise<SessionRecord[]> {
		const rows = this.#q('SELECT * FROM sessions WHERE company_id = ? AND ended_at IS NOT NULL AND ended_at < ? ORDER BY ended_at, id LIMIT ?').all(companyId, before, limit) as Row[];
		return rows.map(toSession);
	}

	async deleteSessionReport(sessionId: string): Promise<void> {
		this.#db.transaction(() => {
			this.#q('DELETE FROM session_events WHERE session_id = ?').run(sessionId);
			this.#q('DELETE FROM session_messages WHERE session_id = ?').run(sessionId);
			this.#q('DELETE FROM recordings WHERE session_id = ?').run(sessionId);
			this.#q('DELETE FROM session_reviews WHERE session_id = ?').run(sessionId);
			this.#q('DELETE FROM sessions WHERE id = ?').run(sessionId);
		}).immediate();
	}

	async insertRecording(r: RecordingRecord): Promise<void> {
		this.#q(
			`INSERT INTO recordings (id, session_id, company_id, status, started_at, ended_at, duration_ms, bytes, storage_key, segments)
			 VALUES (@id, @sessionId, @companyId, @status, @startedAt, @endedAt, @durationMs, @bytes, @storageKey, @segments)`,
		).run({ ...r, segments: JSON.stringify(r.segments) });
	}

	async updateRecording(id: string, patch: Partial<Omit<RecordingRecord, 'id' | 'sessionId' | 'companyId'>>): Promise<void> {
		const columns: Record<string, string> = { status: 'status', startedAt: 'started_at', endedAt: 'ended_at', durationMs: 'duration_ms', bytes: 'bytes', storageKey: 'storage_key', segments: 'segments' };
		const keys = Object.keys(patch).filter((k) => k in columns && patch[k as keyof typeof patch] !== undefined);
		if (keys.length === 0) return;
		const params: Record<string, unknown> = { id };
		for (const k of keys) params[k] = k === 'segments' ? JSON.stringify(patch.segments) : patch[k as keyof typeof patch];
		this.#q(`UPDATE recordings SET ${keys.map((k) => `${columns[k]} = @${k}`).join(', ')} WHERE id = @id`).run(params);
	}

	async getRecording(id: string): Promise<RecordingRecord | undefined> {
		const row = this.#q('SELECT * FROM recordings WHERE id = ?').get(id) as Row | undefined;
		return row && toRecording(row);
	}

	async listSessionRecordings(sessionId: string): Promise<RecordingRecord[]> {
		return (this.#q('SELECT * FROM recordings WHERE session_id = ? ORDER BY started_at, id').all(sessionId) as Row[]).map(toRecording);
	}

	async listUnfinishedRecordings(): Promise<RecordingRecord[]> {
		return (this.#q("SELECT * FROM recordings WHERE status = 'recording' ORDER BY started_at").all() as Row[]).map(toRecording);
	}

	async deleteRecording(id: string): Promise<void> {
		this.#q('DELETE FROM recordings WHERE id = ?').run(id);
	}

	async setCompanyLogo(companyId: string, logo: CompanyLogo | null): Promise<void> {
		if (!logo) {
			this.#q('DELETE FROM company_logos WHERE company_id = ?').run(companyId);
			return;
		}
		this.#q('INSERT INTO company_logos (company_id, type, bytes) VALUES (?, ?, ?) ON CONFLICT (company_id) DO UPDATE SET type = excluded.type, bytes = excluded.bytes').run(
			companyId,
			logo.type,
			Buffer.from(logo.bytes),
		);
	}

	async getCompanyLogo(companyId: string): Promise<CompanyLogo | undefined> {
		const row = this.#q('SELECT type, bytes FROM company_logos WHERE company_id = ?').get(companyId) as Row | undefined;
		return row && { type: row.type as CompanyLogo['type'], bytes: new Uint8Array(row.bytes as Buffer) };
	}

	async insertSessionMessage(message: SessionMessage): Promise<void> {
		this.#q(
			`INSERT INTO session_messages (session_id, at, author_type, author_id, author_name, author_role, text, note)
			 VALUES (@sessionId, @at, @authorType, @authorId, @authorName, @authorRole, @text, @note)`,
		).run({ ...message, note: message.note ? 1 : 0 });
	}

	async listSessionMessages(sessionId: string): Promise<SessionMessage[]> {
		const rows = this.#q('SELECT * FROM session_messages WHERE session_id = ? ORDER BY at, id').all(sessionId) as Row[];
		return rows.map((row) => ({
			sessionId: row.session_id as string,
			at: row.at as number,
			authorType: row.author_type as SessionMessage['authorType'],
			authorId: row.author_id as string,
			authorName: row.author_name as string,
			authorRole: row.author_role as SessionMessage['authorRole'],
			text: row.text as string,
			note: row.note === 1,
		}));
	}

	// Audit log -------------------------------------------------------------------------

	async audit(entry: NewAuditEntry): Promise<void> {
		this.#q(
			`INSERT INTO audit (at, company_id, actor_type, actor_id, action, session_id, detail, ip)
			 VALUES (@at, @companyId, @actorType, @actorId, @action, @sessionId, @detail, @ip)`,
		).run({
			at: entry.at ?? Date.now(),
			companyId: entry.companyId,
			actorType: entry.actorType,
			actorId: entry.actorId,
			action: entry.action,
			sessionId: entry.sessionId ?? null,
			detail: JSON.stringify(entry.detail ?? {}),
			ip: entry.ip ?? null,
		});
	}

	async listAudit(companyId: string, options: AuditFilter & { limit: number; beforeId?: number }): Promise<AuditEntry[]> {
		const action = options.action ?? '';
		const rows = this.#q(
			`SELECT * FROM audit WHERE company_id = @companyId AND id < @beforeId
			 AND (@actorId IS NULL OR actor_id = @actorId)
			 AND (@action = '' OR (substr(@action, -1) = '.' AND substr(action, 1, length(@action)) = @action) OR action = @action)
			 AND at >= @from AND at < @to
			 ORDER BY id DESC LIMIT @limit`,
		).all({
			companyId,
			beforeId: options.beforeId ?? Number.MAX_SAFE_INTEGER,
			actorId: options.actorId ?? null,
			action,
			from: options.from ?? 0,
			to: options.to ?? Number.MAX_SAFE_INTEGER,
			limit: options.limit,
		}) as Row[];
		return rows.map(toAuditEntry);
	}

	// Attempt limits --------------------------------------------------------------------

	/**
	 * Fixed-window counting. A key whose hard lock has ended starts a fresh window, so a
	 * lockout is not followed at once by another one; a growing delay (backoff) keeps the
	 * window, so that the delay keeps growing.
	 */
	async hitAttempt(key: string, now: number, limits: AttemptLimits): Promise<AttemptResult> {
		const hit = this.#db.transaction((): AttemptResult => {
			const row = this.#q('SELECT window_start, count, locked_until FROM attempts WHERE key = ?').get(key) as
				| { window_start: number; count: number; locked_until: number | null }
				| undefined;
			if (row?.locked_until != null && row.locked_until > now) {
				return { allowed: false, lockedUntil: row.locked_until, count: row.count };
			}
			const fresh = !row || now - row.window_start >= limits.windowMs || (row.locked_until != null && row.count > limits.max);
			const windowStart = fresh ? now : row.window_start;
			const count = fresh ? 1 : row.count + 1;
			const { backoff } = limits;
			let lockedUntil: number | null = null;
			if (count > limits.max) lockedUntil = now + limits.lockMs;
			else if (backoff && count > backoff.after) lockedUntil = now + Math.min(backoff.maxMs, backoff.baseMs * 2 ** (count - backoff.after - 1));
			this.#q(
				`INSERT INTO attempts (key, window_start, count, locked_until) VALUES (?, ?, ?, ?)
				 ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count, locked_until = excluded.locked_until`,
			).run(key, windowStart, count, lockedUntil);
			// NOTE: a growing delay refuses the *next* attempt; this one is allowed.
			return { allowed: count <= limits.max, lockedUntil, count };
		});
		return hit.immediate();
	}

	async forgiveAttempt(key: string): Promise<void> {
		this.#q('UPDATE attempts SET count = max(count - 1, 0) WHERE key = ?').run(key);
	}

	async lockedUntil(key: string, now: number): Promise<number | null> {
		const row = this.#q('SELECT locked_until FROM attempts WHERE key = ?').get(key) as { locked_until: number | null } | undefined;
		return row?.locked_until != null && row.locked_until > now ? row.locked_until : null;
	}

	async clearAttempts(key: string): Promise<void> {
		this.#q('DELETE FROM attempts WHERE key = ?').run(key);
	}

	// Retention -------------------------------------------------------------------------

	async purge(now: number, options: { attemptsBefore: number; auditBefore: number }): Promise<{ attempts: number; refreshTokens: number; audit: number; messages: number }> {
		const purge = this.#db.transaction(() => ({
			attempts: this.#q('DELETE FROM attempts WHERE window_start < ? AND (locked_until IS NULL OR locked_until < ?)').run(options.attemptsBefore, now).changes,
			refreshTokens: this.#q('DELETE FROM refresh_tokens WHERE expires_at < ?').run(now).changes,
			audit: this.#q('DELETE FROM audit WHERE at < ?').run(options.auditBefore).changes,
			messages: this.#q('DELETE FROM session_messages WHERE at < ?').run(options.auditBefore).changes,
		}));
		return purge.immediate();
	}

	/** Closes the database; safe to call twice. */
	async close(): Promise<void> {
		if (this.#db.open) this.#db.close();
	}
}

// Row mapping ---------------------------------------------------------------------------

function toCompany(row: Row): Company {
	return {
		id: row.id as string,
		name: row.name as string,
		// NOTE: settings saved before a setting existed get its default.
		settings: { ...DEFAULT_COMPANY_SETTINGS, ...(JSON.parse(row.settings as string) as Partial<CompanySettings>) } as CompanySettings,
		createdAt: row.created_at as number,
	};
}

function toUser(row: Row): User {
	return {
		id: row.id as string,
		companyId: row.company_id as string,
		email: row.email as string,
		name: row.name as string,
		role: row.role as UserRole,
		// NOTE: accounts made before a permission existed get its default (record: all but supervisors).
		permissions: { record: row.role !== 'supervisor', ...(JSON.parse(row.permissions as string) as Partial<Permissions>) } as Permissions,
		disabled: row.disabled === 1,
		passwordHash: row.password_hash as string,
		createdAt: row.created_at as number,
	};
}

function toRefreshToken(row: Row): RefreshToken {
	return {
		id: row.id as string,
		userId: row.user_id as string,
		familyId: row.family_id as string,
		tokenHash: row.token_hash as string,
		expiresAt: row.expires_at as number,
		usedAt: row.used_at as number | null,
		revokedAt: row.revoked_at as number | null,
		createdAt: row.created_at as number,
	};
}

function toPin(row: Row): Pin {
	return {
		id: row.id as string,
		companyId: row.company_id as string,
		lookup: row.lookup as string,
		watchTokenHash: row.watch_token_hash as string,
		createdAt: row.created_at as number,
		expiresAt: row.expires_at as number,
		redeemedAt: row.redeemed_at as number | null,
		redeemedBy: row.redeemed_by as string | null,
		sessionId: row.session_id as string | null,
		locale: typeof row.locale === 'string' ? (JSON.parse(row.locale) as Pin['locale']) : null,
		reference: (row.reference as string | null) ?? null,
	};
}

function toWebhook(row: Row): Webhook {
	return {
		id: row.id as string,
		companyId: row.company_id as string,
		url: row.url as string,
		events: JSON.parse(row.events as string) as Webhook['events'],
		secret: row.secret as string,
		createdAt: row.created_at as number,
		createdBy: (row.created_by as string | null) ?? null,
		disabled: row.disabled === 1,
	};
}

function toDelivery(row: Row): WebhookDelivery {
	return {
		id: row.id as string,
		webhookId: row.webhook_id as string,
		companyId: row.company_id as string,
		eventId: row.event_id as string,
		eventType: row.event_type as string,
		payload: row.payload as string,
		status: row.status as WebhookDelivery['status'],
		attempts: row.attempts as number,
		nextAttemptAt: (row.next_attempt_at as number | null) ?? null,
		lastStatus: (row.last_status as number | null) ?? null,
		lastError: (row.last_error as string | null) ?? null,
		createdAt: row.created_at as number,
		deliveredAt: (row.delivered_at as number | null) ?? null,
	};
}

function toApiKey(row: Row): ApiKey {
	return {
		id: row.id as string,
		companyId: row.company_id as string,
		name: row.name as string,
		scopes: JSON.parse(row.scopes as string) as ApiKey['scopes'],
		secretHash: row.secret_hash as string,
		createdAt: row.created_at as number,
		createdBy: (row.created_by as string | null) ?? null,
		lastUsedAt: (row.last_used_at as number | null) ?? null,
		revokedAt: (row.revoked_at as number | null) ?? null,
	};
}

function toRecording(row: Row): RecordingRecord {
	return {
		id: row.id as string,
		sessionId: row.session_id as string,
		companyId: row.company_id as string,
		status: row.status as RecordingRecord['status'],
		startedAt: row.started_at as number,
		endedAt: (row.ended_at as number | null) ?? null,
		durationMs: (row.duration_ms as number | null) ?? null,
		bytes: (row.bytes as number | null) ?? null,
		storageKey: (row.storage_key as string | null) ?? null,
		segments: JSON.parse(row.segments as string) as RecordingRecord['segments'],
	};
}

function toSession(row: Row): SessionRecord {
	return {
		id: row.id as string,
		companyId: row.company_id as string,
		agentUserId: row.agent_user_id as string,
		pinId: row.pin_id as string | null,
		startedAt: row.started_at as number,
		endedAt: row.ended_at as number | null,
		endReason: row.end_reason as string | null,
		outcome: (row.outcome as string | null) ?? null,
		wrapupNotes: (row.wrapup_notes as string | null) ?? null,
		wrappedUpAt: (row.wrapped_up_at as number | null) ?? null,
		reference: (row.reference as string | null) ?? null,
	};
}

function toAuditEntry(row: Row): AuditEntry {
	return {
		id: row.id as number,
		at: row.at as number,
		companyId: row.company_id as string | null,
		actorType: row.actor_type as AuditActor,
		actorId: row.actor_id as string | null,
		action: row.action as string,
		sessionId: row.session_id as string | null,
		detail: JSON.parse(row.detail as string) as Record<string, unknown>,
		ip: row.ip as string | null,
	};
}

function toRules(row: Row): CompanyRules {
	const rules = JSON.parse(row.rules as string) as Pick<CompanyRules, 'disabledBuiltins' | 'mask'>;
	return { version: row.version as number, disabledBuiltins: rules.disabledBuiltins, mask: rules.mask, updatedAt: row.updated_at as number, updatedBy: (row.updated_by as string | null) ?? null };
}
