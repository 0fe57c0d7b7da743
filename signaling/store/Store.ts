/**
 * The store: everything Alongside keeps beyond one process's memory. An interface, so the
 * embedded SQLite store (the default, no setup) can be replaced by a server database when
 * running on several machines. Every method is async for that reason.
 *
 * Times are milliseconds since the epoch. Ids are opaque strings.
 */
import type { AnyBuiltinRule, CustomRuleKind } from '../../protocol/detector.js';
import type { AgentNameFormat, LogoType } from '../../protocol/brand.js';

/** Company-wide settings an admin edits. */
export interface CompanySettings {
	/** Shown to customers: "this session may be supervised for quality". Default false. */
	announceSupervision: boolean;
	/** How long a PIN stays redeemable, in seconds. Default 600 (10 minutes). */
	pinTtlSeconds: number;
	/** Brand name shown on the customer page. Default: the company name. */
	brandName: string | null;
	/** The page a new session's cloud browser opens. Default: the built-in welcome page. */
	startUrl: string | null;
	/**
	 * The sites (host names, each with its subdomains) a session's browser may open; empty:
	 * any public site. For everyone in the session. Default empty.
	 */
	allowedDomains: string[];
	/** Customers may draw on the shared view too (agents always may). Default false. */
	customerAnnotations: boolean;
	/** The brand colour of the customer's pages (`#rrggbb`, white text readable on it). Default: Alongside's. */
	brandColor: string | null;
	/** How the agent's name is shown in sessions. Default `full`. */
	agentNameFormat: AgentNameFormat;
	/** Bumped when the logo changes (its address carries it); null: no logo. */
	logoVersion: number | null;
	/** The outcomes an agent picks from when wrapping up a session. */
	outcomes: string[];
	/**
	 * Which sessions are recorded (the masked rendition only): `off`; `always`, from their
	 * start, for agents who may record; `agent`, when an agent who may record starts it.
	 * Default `off`.
	 */
	recording: RecordingPolicy;
	/** How long recordings and session reports are kept, in days; then deleted for good. Default 30. */
	retentionDays: number;
}

export type RecordingPolicy = 'off' | 'always' | 'agent';

/** A company's logo, as uploaded (type checked from its bytes). */
export interface CompanyLogo {
	type: LogoType;
	bytes: Uint8Array;
}

/** One of a company's own masking rules (see protocol/detector.ts for how each kind matches). */
export interface MaskRule {
	/** Stable across saves, so audit entries and the admin page can name it. */
	id: string;
	kind: CustomRuleKind;
	value: string;
	/** Host names it applies on, each with its subdomains; empty: every site. */
	domains: string[];
	/** The admin's note on why the rule exists. */
	note: string | null;
}

/** What a company's admins set for masking: built-in rules switched off, and their own. */
export interface CompanyRules {
	/** Increases with each save; 0: never saved (the built-in rules, all on). */
	version: number;
	disabledBuiltins: AnyBuiltinRule[];
	mask: MaskRule[];
	updatedAt: number | null;
	/** The user who saved them last. */
	updatedBy: string | null;
}

/** A company's settings before an admin changed any (and the defaults of settings added since). */
export const DEFAULT_COMPANY_SETTINGS: CompanySettings = {
	announceSupervision: false,
	pinTtlSeconds: 600,
	brandName: null,
	startUrl: null,
	allowedDomains: [],
	customerAnnotations: false,
	brandColor: null,
	agentNameFormat: 'full',
	logoVersion: null,
	recording: 'off',
	retentionDays: 30,
	outcomes: ['Resolved', 'Follow-up needed', 'Not resolved'],
};

/** A company's rules before anyone saved any. */
export const DEFAULT_COMPANY_RULES: CompanyRules = { version: 0, disabledBuiltins: [], mask: [], updatedAt: null, updatedBy: null };

export interface Company {
	/** Short, URL-safe id used in the customer link `/c/<id>`, e.g. `acme`. */
	id: string;
	name: string;
	settings: CompanySettings;
	createdAt: number;
}

export type UserRole = 'admin' | 'supervisor' | 'agent';

/** What a user may do. Roles give defaults; an admin can change each flag. */
export interface Permissions {
	/** May redeem PINs and join sessions as the agent. */
	cobrowse: boolean;
	/** May drive the cloud browser (input channels, navigation). Without it: view only. */
	control: boolean;
	/** May list the company's live sessions and watch them silently. */
	supervise: boolean;
	/** May record sessions where the company records them. Missing in accounts made before recording: all but supervisors. */
	record: boolean;
}

export interface User {
	id: string;
	companyId: string;
	/** Lower-cased; unique within the company (with the company id, it is the login name). */
	email: string;
	name: string;
	role: UserRole;
	permissions: Permissions;
	disabled: boolean;
	/** scrypt hash in PHC-like format; never leaves the store layer except to verify. */
	passwordHash: string;
	createdAt: number;
}

export interface RefreshToken {
	id: string;
	userId: string;
	/** All tokens descending from one login share a family; reuse of a spent one revokes it. */
	familyId: string;
	/** SHA-256 of the token; the token itself is never stored. */
	tokenHash: string;
	expiresAt: number;
	usedAt: number | null;
	revokedAt: number | null;
	createdAt: number;
}

export interface Pin {
	id: string;
	companyId: string;
	/** HMAC-SHA256(pepper, companyId + ':' + pin), hex. The PIN itself is never stored. */
	lookup: string;
	/** SHA-256 of the customer's watch token (lets the customer's page learn of redemption). */
	watchTokenHash: string;
	createdAt: number;
	expiresAt: number;
	redeemedAt: number | null;
	redeemedBy: string | null;
	sessionId: string | null;
	/** The customer's language and time zone, as their page told (or their Accept-Language). */
	locale?: { lang: string; timeZone?: string } | null;
	/** An integration's own reference for it (a ticket id); the session started with it keeps it. */
	reference?: string | null;
}

/** A session's record: kept after the session ends, as the basis of its report. */
export interface SessionRecord {
	id: string;
	companyId: string;
	agentUserId: string;
	pinId: string | null;
	startedAt: number;
	endedAt: number | null;
	endReason: string | null;
	/** The agent's wrap-up: an outcome from the company's list, and notes. */
	outcome?: string | null;
	wrapupNotes?: string | null;
	wrappedUpAt?: number | null;
	/** An integration's reference (from the PIN it issued). */
	reference?: string | null;
}

/** What a company's systems can be told of. */
export const WEBHOOK_EVENTS = ['session.started', 'session.ended', 'recording.ready', 'policy.refused'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** An endpoint a company registered to be told of events. */
export interface Webhook {
	id: string;
	companyId: string;
	url: string;
	events: WebhookEventType[];
	/** Sealed (see webhooks/secrets.ts); the signing secret itself only in memory. */
	secret: string;
	createdAt: number;
	createdBy: string | null;
	disabled: boolean;
}

/** One event for one endpoint, in the outbox until delivered or given up. */
export interface WebhookDelivery {
	id: string;
	webhookId: string;
	companyId: string;
	/** The same for every delivery of one event (a redelivery too): receivers dedupe on it. */
	eventId: string;
	eventType: string;
	/** The JSON body sent, exactly. */
	payload: string;
	status: 'pending' | 'delivered' | 'failed';
	attempts: number;
	nextAttemptAt: number | null;
	lastStatus: number | null;
	lastError: string | null;
	createdAt: number;
	deliveredAt: number | null;
}

/** What an API key may do. */
export const API_SCOPES = ['sessions:read', 'sessions:write', 'reports:read', 'recordings:read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A company's key for the integration API (`/api/v1`). Its secret is shown once; only a hash is kept. */
export interface ApiKey {
	id: string;
	companyId: string;
	name: string;
	scopes: ApiScope[];
	/** HMAC-SHA256 of the secret (keyed by the service's pepper), hex. */
	secretHash: string;
	createdAt: number;
	/** The admin who made it. */
	createdBy: string | null;
	lastUsedAt: number | null;
	revokedAt: number | null;
}

/** A supervisor's review of a session, for coaching. */
export interface SessionReview {
	sessionId: string;
	reviewerId: string;
	/** 1 to 5, or null: notes only. */
	rating: number | null;
	notes: string;
	at: number;
}

/** A session's recording: one MP4 of the masked rendition, made of segments (see sfu/Recorder.ts). */
export interface RecordingRecord {
	id: string;
	sessionId: string;
	companyId: string;
	/** `recording` while the session runs (or if the service stopped during it); `ready` to watch; `failed`: nothing playable. */
	status: 'recording' | 'ready' | 'failed';
	startedAt: number;
	endedAt: number | null;
	durationMs: number | null;
	bytes: number | null;
	/** Where the storage keeps the finished file. */
	storageKey: string | null;
	/** Each segment's start (wall clock) and, once finished, its length in the file. */
	segments: Array<{ startedAt: number; durationMs?: number }>;
}

/** One thing that happened in a session, for its timeline (see signaling/events.ts). */
export interface StoredSessionEvent {
	sessionId: string;
	at: number;
	type: string;
	/** Facts of the event: names and roles, never what masking hides. */
	detail: Record<string, unknown>;
}

/** A chat message (or a supervisor's note) of a session, as written, for its report. */
export interface SessionMessage {
	sessionId: string;
	at: number;
	authorType: 'user' | 'customer';
	/** The user id, or the customer's PIN id. */
	authorId: string;
	authorName: string;
	authorRole: 'agent' | 'customer' | 'supervisor';
	text: string;
	/** A supervisor's note to the agent (never shown to the customer). */
	note: boolean;
}

export type AuditActor = 'user' | 'customer' | 'system' | 'anonymous' | 'api_key';

export interface AuditEntry {
	id: number;
	at: number;
	companyId: string | null;
	actorType: AuditActor;
	actorId: string | null;
	/** `domain.action`, e.g. `auth.login`, `pin.refused`, `session.joined`. */
	action: string;
	sessionId: string | null;
	/** Extra facts; never secrets (no PINs, tokens or passwords). */
	detail: Record<string, unknown>;
	ip: string | null;
}

/** Which audit entries to list. */
export interface AuditFilter {
	actorId?: string;
	/** An action (`auth.login`), or a domain of them (`session.`). */
	action?: string;
	/** From this time (ms, inclusive) until this time (exclusive). */
	from?: number;
	to?: number;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'sessionId' | 'detail' | 'ip'> &
	Partial<Pick<AuditEntry, 'at' | 'sessionId' | 'detail' | 'ip'>>;

/** Limits of one attempt counter; see {@link Store.hitAttempt}. */
export interface AttemptLimits {
	windowMs: number;
	max: number;
	lockMs: number;
	backoff?: { after: number; baseMs: number; maxMs: number };
}

/** The outcome of counting one attempt against a limit. */
export interface AttemptResult {
	/** False when the key is locked out (this attempt is refused before any check). */
	allowed: boolean;
	/** When the lockout ends, if locked. */
	lockedUntil: number | null;
	/** Attempts counted in the current window, including this one. */
	count: number;
}

export interface Store {
	// Companies -------------------------------------------------------------------------
	/** How many companies exist (zero on a fresh installation: see bootstrap.ts). */
	countCompanies(): Promise<number>;
	/** Every company's id (for the retention sweep). */
	listCompanyIds(): Promise<string[]>;
	getCompany(id: string): Promise<Company | undefined>;
	createCompany(company: Company): Promise<void>;
	updateCompanySettings(id: string, settings: CompanySettings): Promise<void>;
	/** A company's rules ({@link DEFAULT_COMPANY_RULES} if none were ever saved). */
	getRules(companyId: string): Promise<CompanyRules>;
	/**
	 * Saves a company's rules if they are still at `expectedVersion` (checked in the same
	 * transaction: two admins saving at once cannot both win). Returns the saved rules with
	 * their new version, or undefined when someone else saved first.
	 */
	saveRules(companyId: string, rules: Pick<CompanyRules, 'disabledBuiltins' | 'mask'>, expectedVersion: number, at: number, userId: string): Promise<CompanyRules | undefined>;

	// Users -----------------------------------------------------------------------------
	getUser(id: string): Promise<User | undefined>;
	/** The user of a company with this login email (emails are unique within a company only). */
	getUserByEmail(companyId: string, email: string): Promise<User | undefined>;
	listUsers(companyId: string): Promise<User[]>;
	createUser(user: User): Promise<void>;
	/**
	 * Updates the given fields; returns false if no such user. With `keepAnAdminIn`, the
	 * update happens only if another enabled admin of that company remains (checked in the
	 * same statement, so two admins demoting each other cannot both succeed).
	 */
	updateUser(
		id: string,
		patch: Partial<Pick<User, 'name' | 'role' | 'permissions' | 'disabled' | 'passwordHash'>>,
		options?: { keepAnAdminIn?: string },
	): Promise<boolean>;

	// Refresh tokens --------------------------------------------------------------------
	insertRefreshToken(token: RefreshToken): Promise<void>;
	getRefreshTokenByHash(tokenHash: string): Promise<RefreshToken | undefined>;
	/** Marks a token spent, only if it is neither spent nor revoked; returns whether it did. */
	useRefreshToken(id: string, at: number): Promise<boolean>;
	revokeRefreshFamily(familyId: string, at: number): Promise<void>;
	revokeUserRefreshTokens(userId: string, at: number): Promise<void>;

	// PINs ------------------------------------------------------------------------------
	insertPin(pin: Pin): Promise<void>;
	/** The unredeemed, unexpired PIN with this lookup, if any. */
	findOpenPin(lookup: string, now: number): Promise<Pin | undefined>;
	getPinByWatchTokenHash(watchTokenHash: string): Promise<Pin | undefined>;
	/** Redeems atomically: succeeds only if still open and unexpired. */
	redeemPin(id: string, at: number, userId: string, sessionId: string): Promise<boolean>;
	/** Deletes PINs expired before `now`; returns how many. */
	deleteExpiredPins(now: number): Promise<number>;
	/** Deletes the PIN a session was started with (session data, gone when it ends). */
	deleteSessionPins(sessionId: string): Promise<number>;

	// Session records -------------------------------------------------------------------
	insertSession(record: SessionRecord): Promise<void>;
	endSession(id: string, at: number, reason: string): Promise<void>;
	getSession(id: string): Promise<SessionRecord | undefined>;
	/** A company's sessions, newest first: live or ended or both, with a reference or any, started before `before`. */
	listSessions(companyId: string, options: { live?: boolean; reference?: string; before?: number; limit: number }): Promise<SessionRecord[]>;
	insertSessionMessage(message: SessionMessage): Promise<void>;
	/** Replaces (or, with null, removes) the company's logo. */
	setCompanyLogo(companyId: string, logo: CompanyLogo | null): Promise<void>;
	getCompanyLogo(companyId: string): Promise<CompanyLogo | undefined>;
	/** A session's chat messages and notes, oldest first. */
	listSessionMessages(sessionId: string): Promise<SessionMessage[]>;
	insertSessionEvent(event: StoredSessionEvent): Promise<void>;
	/** A session's events, oldest first. */
	listSessionEvents(sessionId: string): Promise<StoredSessionEvent[]>;
	/** Sessions of a company that ended before `before`, oldest first (for retention). */
	listEndedSessions(companyId: string, before: number, limit: number): Promise<SessionRecord[]>;
	/** Records the agent's wrap-up of an ended session (replacing an earlier one). */
	wrapUpSession(id: string, wrapUp: { outcome: string; notes: string; at: number }): Promise<void>;
	/** Saves a supervisor's review of a session (one per session: the latest). */
	saveReview(review: SessionReview): Promise<void>;
	getReview(sessionId: string): Promise<SessionReview | undefined>;
	/**
	 * What the company reports are made of: sessions started in [from, to) (optionally one
	 * agent's), oldest first, at most `limit`, each with its refusals by rule and whether a
	 * recording of it is ready.
	 */
	reportSessions(companyId: string, options: { from: number; to: number; agentUserId?: string; limit: number }): Promise<Array<SessionRecord & { refusals: Record<string, number>; recorded: boolean }>>;
	/** Deletes a session's record, events, chat, review and recording rows (its files are the caller's). */
	deleteSessionReport(sessionId: string): Promise<void>;

	// Recordings ------------------------------------------------------------------------
	insertRecording(recording: RecordingRecord): Promise<void>;
	updateRecording(id: string, patch: Partial<Omit<RecordingRecord, 'id' | 'sessionId' | 'companyId'>>): Promise<void>;
	getRecording(id: string): Promise<RecordingRecord | undefined>;
	listSessionRecordings(sessionId: string): Promise<RecordingRecord[]>;
	/** Recordings left `recording` (the service stopped during their session). */
	listUnfinishedRecordings(): Promise<RecordingRecord[]>;
	deleteRecording(id: string): Promise<void>;

	// API keys --------------------------------------------------------------------------
	insertApiKey(key: ApiKey): Promise<void>;
	getApiKey(id: string): Promise<ApiKey | undefined>;
	/** A company's keys, revoked ones too, newest first. */
	listApiKeys(companyId: string): Promise<ApiKey[]>;
	/** Revokes a key of the company; false if there is none (or it was revoked already). */
	revokeApiKey(companyId: string, id: string, at: number): Promise<boolean>;
	/** Notes when a key was last used (at most once a minute matters; callers may skip). */
	touchApiKey(id: string, at: number): Promise<void>;

	// Webhooks --------------------------------------------------------------------------
	insertWebhook(webhook: Webhook): Promise<void>;
	getWebhook(id: string): Promise<Webhook | undefined>;
	listWebhooks(companyId: string): Promise<Webhook[]>;
	updateWebhook(companyId: string, id: string, patch: Partial<Pick<Webhook, 'url' | 'events' | 'disabled'>>): Promise<boolean>;
	deleteWebhook(companyId: string, id: string): Promise<boolean>;
	/** Adds deliveries to the outbox (one event to several endpoints: all or none). */
	insertDeliveries(deliveries: WebhookDelivery[]): Promise<void>;
	/** Pending deliveries due at `now`, oldest first. */
	dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]>;
	/** When the next pending delivery is due, if any. */
	nextDeliveryAt(): Promise<number | null>;
	updateDelivery(id: string, patch: Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastStatus' | 'lastError' | 'deliveredAt'>>): Promise<void>;
	getDelivery(id: string): Promise<WebhookDelivery | undefined>;
	/** An endpoint's latest deliveries, newest first. */
	listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]>;
	/** Deletes finished deliveries created before `before`; returns how many. */
	purgeDeliveries(before: number): Promise<number>;

	// Audit log -------------------------------------------------------------------------
	audit(entry: NewAuditEntry): Promise<void>;
	/** A company's audit entries, newest first, filtered by who (actor id), what (action or `domain.` prefix) and when. */
	listAudit(companyId: string, options: AuditFilter & { limit: number; beforeId?: number }): Promise<AuditEntry[]>;

	// Attempt limits (PIN guessing, login) ----------------------------------------------
	/**
	 * Counts one attempt for `key` in a fixed window of `windowMs`. When the count exceeds
	 * `max`, the key is locked until `now + lockMs` (a hard lock; the next window starts
	 * after it). With `backoff`, each attempt after the first `backoff.after` also locks the
	 * key for a delay that doubles from `baseMs` up to `maxMs` (a growing delay within the
	 * window). A locked key's attempts are refused and not counted.
	 */
	hitAttempt(key: string, now: number, limits: AttemptLimits): Promise<AttemptResult>;
	/** Takes back one counted attempt (it turned out to be a success). */
	forgiveAttempt(key: string): Promise<void>;
	/** Peeks without counting: is the key locked now? */
	lockedUntil(key: string, now: number): Promise<number | null>;
	clearAttempts(key: string): Promise<void>;

	// Retention -------------------------------------------------------------------------
	/**
	 * Deletes what is no longer needed: attempt counters whose window started before
	 * `attemptsBefore` and that are not locked at `now`, refresh tokens expired before `now`
	 * (a spent one can no longer be replayed), and audit entries and chat messages older than
	 * `auditBefore`. Returns how many rows of each went.
	 */
	purge(now: number, options: { attemptsBefore: number; auditBefore: number }): Promise<{ attempts: number; refreshTokens: number; audit: number; messages: number }>;

	close(): Promise<void>;
}
