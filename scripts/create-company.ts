/**
 * `npm run company:create -- --company acme --name "Acme Inc" --admin admin@acme.example`:
 * creates a company and its first admin in the store of the current configuration
 * (ALONGSIDE_DATA_DIR), and prints the admin's generated password once, to this terminal
 * only. This is how a production installation gets its first account: there the demo
 * company of the first run is off (ALONGSIDE_FIRST_RUN_DEMO=false).
 *
 * Exit codes: 0 created; 1 failed (the company or its admin already exists, bad input).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CompanyId, DEFAULT_PERMISSIONS, Email } from '../signaling/api/common.js';
import { generatePassword, hashPassword } from '../signaling/auth/passwords.js';
import { DEMO_COMPANY } from '../signaling/bootstrap.js';
import { loadConfig } from '../signaling/config.js';
import { SqliteStore } from '../signaling/store/SqliteStore.js';


const Args = z.object({
	company: CompanyId,
	name: z.string().trim().min(1).max(100),
	admin: Email,
	'admin-name': z.string().trim().min(1).max(100).default('Admin'),
});

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: { company: { type: 'string' }, name: { type: 'string' }, admin: { type: 'string' }, 'admin-name': { type: 'string' } },
		strict: true,
	});
	const parsed = Args.safeParse(values);
	if (!parsed.success) {
		throw new Error(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\nusage: npm run company:create -- --company <id> --name <name> --admin <email> [--admin-name <name>]`);
	}
	const args = parsed.data;
	const config = loadConfig();
	const store = SqliteStore.open(path.join(config.signaling.dataDir, 'alongside.db'));
	try {
		if (await store.getCompany(args.company)) throw new Error(`company "${args.company}" already exists`);
		const now = Date.now();
		const password = generatePassword();
		await store.createCompany({ id: args.company, name: args.name, settings: { ...DEMO_COMPANY.settings }, createdAt: now });
		const admin = {
			id: randomUUID(),
			companyId: args.company,
			email: args.admin,
			name: args['admin-name'],
			role: 'admin' as const,
			permissions: DEFAULT_PERMISSIONS.admin,
			disabled: false,
			passwordHash: await hashPassword(password),
			createdAt: now,
		};
		await store.createUser(admin);
		await store.audit({ companyId: args.company, actorType: 'system', actorId: null, action: 'company.created', detail: { adminUserId: admin.id } });
		// NOTE: the password goes to this terminal once; it is never logged or stored in clear.
		process.stdout.write(
			[
				`Created company "${args.company}" (${args.name}).`,
				`Its admin signs in at /admin/ with company ${args.company}, email ${args.admin} and this password, shown only now:`,
				'',
				`  ${password}`,
				'',
				'Customers of this company use the link /c/' + args.company,
				'',
			].join('\n'),
		);
	} finally {
		await store.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`company:create: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
