/**
 * What every REST route module receives. Route modules export a function taking an
 * ApiContext and returning a koa Router.
 */
import type { RecordingLinks } from '../recordings/links.js';
import type { RecordingStorage } from '../recordings/storage.js';
import type { Logger } from 'pino';
import type { ApiKeys } from '../apikeys/ApiKeys.js';
import type { Audit } from '../audit.js';
import type { Webhooks } from '../webhooks/Webhooks.js';
import type { Tokens } from '../auth/types.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { PinService } from '../pins/PinService.js';
import type { PinWatchers } from '../pins/PinWatchers.js';
import type { Session } from '../Session.js';
import type { CompanyRules, RecordingRecord, Store, User } from '../store/Store.js';

export interface ApiContext {
	store: Store;
	/** Keys of the integration API (/api/v1). */
	apiKeys: ApiKeys;
	/** The company's endpoints' outbox and deliveries. */
	webhooks: Webhooks;
	/** The service's address as people reach it (ALONGSIDE_PUBLIC_URL, else this request's origin), for links. */
	publicUrl(ctx: { protocol: string; host: string }): string;
	tokens: Tokens;
	config: Config;
	logger: Logger;
	metrics: Metrics;
	/** Live sessions of a company, for listing. */
	sessions: SessionDirectory;
	pins: PinService;
	watchers: PinWatchers;
	/** Writes an audit entry in the background (failures are logged and counted). */
	audit: Audit;
	/**
	 * Starts a session bound to the agent's company (warm pool first); refused when a session
	 * limit is reached. `replace` ends the agent's own live sessions first.
	 */
	startSession(agent: User, pinId: string | null, options?: { replace?: boolean; preview?: boolean; locale?: { lang: string; timeZone?: string } | null; reference?: string | null }): Promise<Session>;
	/** A live session by id (bound, not ended). */
	liveSession(sessionId: string): Session | undefined;
	/** The live session whose page asks for a file with this upload token (see api/files). */
	uploadFor(token: string): Session | undefined;
	/** A file a page downloaded, by the customer's download token (see api/files). */
	downloadFor(token: string): { name: string; type: string; bytes: Uint8Array } | undefined;
	/** A user's account changed: their live connections apply it at once. */
	userChanged(userId: string): void;
	/** A company saved its rules: its live sessions apply them at once. */
	rulesChanged(companyId: string, rules: CompanyRules): void;
	/** A company changed the sites its sessions may open: its live sessions apply them now. */
	allowedDomainsChanged(companyId: string, allowedDomains: string[]): void;
	/** Signed links to recordings' videos. */
	links: RecordingLinks;
	/** Where recordings' files are. */
	recordingStorage: RecordingStorage;
	/** Deletes one recording's file and row. */
	deleteRecording(recording: RecordingRecord): Promise<void>;
	/** Deletes a session's report: its recordings' files, then its rows. Returns how many recordings went. */
	deleteReport(sessionId: string): Promise<number>;
}

export interface LiveSessionInfo {
	id: string;
	companyId: string;
	agentUserId: string;
	agentName: string;
	startedAt: number;
	customerPresent: boolean;
	url: string;
	title: string;
	/** Agents' input the policy gateway refused so far. */
	refusals: number;
}

/** Implemented by the signaling core (Alongside); routes use it without knowing sessions' insides. */
export interface SessionDirectory {
	live(companyId: string): LiveSessionInfo[];
	get(sessionId: string): LiveSessionInfo | undefined;
	/** A small JPEG of what agents see in a live session (masked), or undefined (none yet, or no such session). */
	thumbnail(sessionId: string): Promise<Uint8Array | undefined>;
}
