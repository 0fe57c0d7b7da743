/**
 * First run: a fresh installation has no company and so no one who could sign in. This
 * creates a demo company with an admin, an agent and a supervisor, each with a generated
 * password, writes the credentials to a 0600 file in the data directory and returns them
 * so the entry point can print them once. Passwords are never logged.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_PERMISSIONS } from './api/common.js';
import { generatePassword, hashPassword } from './auth/passwords.js';
import type { Company, Store, User, UserRole } from './store/Store.js';

/** Name of the credentials file written on first run, inside the data directory. */
export const FIRST_RUN_FILE = 'first-run-credentials.txt';

/** The demo company created on first run. */
export const DEMO_COMPANY: Omit<Company, 'createdAt'> = {
	id: 'demo',
	name: 'Demo Company',
	settings: { announceSupervision: false, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: ['Resolved', 'Follow-up needed', 'Not resolved'] },
};

/** The users created on first run. */
export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; role: UserRole }> = [
	{ email: 'admin@demo.local', name: 'Admin', role: 'admin' },
	{ email: 'agent@demo.local', name: 'Alex', role: 'agent' },
	{ email: 'supervisor@demo.local', name: 'Sam', role: 'supervisor' },
];

export interface FirstRunInfo {
	credentials: Array<{ email: string; password: string; role: UserRole }>;
	/** Absolute path of the credentials file. */
	file: string;
}

/**
 * Creates the demo company and users if the store has no company at all; returns their
 * credentials, or null when the installation was already set up.
 */
export async function ensureFirstRun(store: Store, dataDir: string, logger: Logger): Promise<FirstRunInfo | null> {
	if ((await store.countCompanies()) > 0) return null;
	const now = Date.now();
	const accounts = DEMO_USERS.map((u) => ({ ...u, password: generatePassword() }));
	const users: User[] = await Promise.all(
		accounts.map(async (a) => ({
			id: randomUUID(),
			companyId: DEMO_COMPANY.id,
			email: a.email,
			name: a.name,
			role: a.role,
			permissions: DEFAULT_PERMISSIONS[a.role],
			disabled: false,
			passwordHash: await hashPassword(a.password),
			createdAt: now,
		})),
	);
	const credentials = accounts.map(({ email, password, role }) => ({ email, password, role }));

	// NOTE: the file is written before the users exist, so a crash in between cannot leave
	// accounts whose passwords nobody was shown; if the store fails, the file goes.
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const file = path.resolve(dataDir, FIRST_RUN_FILE);
	writeCredentials(file, credentials);
	try {
		await store.createCompany({ ...DEMO_COMPANY, createdAt: now });
		for (const user of users) await store.createUser(user);
	} catch (error) {
		fs.rmSync(file, { force: true });
		throw error;
	}
	logger.info({ companyId: DEMO_COMPANY.id, users: DEMO_USERS.map((u) => u.email), file }, 'first run: created the demo company and its users');
	return { credentials, file };
}

function writeCredentials(file: string, credentials: FirstRunInfo['credentials']): void {
	const lines = [
		'Alongside: accounts created on first run.',
		'Sign in at /agent/ (agent), /supervisor/ (supervisor) or /admin/ (admin), then change',
		'these passwords. DELETE THIS FILE once you have them.',
		'',
		...credentials.map((c) => `${c.role.padEnd(10)} ${c.email.padEnd(24)} ${c.password}`),
		'',
	];
	fs.rmSync(file, { force: true });
	fs.writeFileSync(file, lines.join('\n'), { mode: 0o600, flag: 'wx' });
}
