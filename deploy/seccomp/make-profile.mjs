#!/usr/bin/env node
/**
 * Builds the seccomp profile Alongside's container runs with: the container runtime's own
 * default profile, plus exactly what Chromium's sandbox needs to start as an unprivileged
 * user (see deploy/README.md, "Chromium's sandbox in a container").
 *
 *   node deploy/seccomp/make-profile.mjs docker-default.json > deploy/seccomp/alongside-chromium.json
 *   curl -fsSL https://raw.githubusercontent.com/moby/moby/v<your engine version>/profiles/seccomp/default.json \
 *     | node deploy/seccomp/make-profile.mjs - > deploy/seccomp/alongside-chromium.json
 *
 * Start from the default profile of the engine you run (Docker's
 * profiles/seccomp/default.json for that version; containerd's is the same list), so that
 * everything else it refuses stays refused. The additions:
 * - clone, unshare: create user, PID and network namespaces. The default profile allows
 *   namespace flags only to containers holding CAP_SYS_ADMIN, which we do not grant. The
 *   kernel still lets an unprivileged process create namespaces only under its own user
 *   namespace, where it owns nothing of the host's.
 * - setns: join namespaces the process created (the kernel requires CAP_SYS_ADMIN over
 *   the target namespace, which an unprivileged process has only over its own).
 * - chroot: Chromium chroots its sandboxed processes into an empty directory, inside their
 *   user namespace. The default profile allows chroot only with CAP_SYS_CHROOT, which the
 *   container drops; the kernel still requires that capability, so the service itself
 *   (root without it) still cannot chroot.
 * clone3 is left as the default profile has it (ENOSYS without CAP_SYS_ADMIN), so that the
 * C library falls back to clone, whose flags seccomp can see.
 */
import fs from 'node:fs';

const input = process.argv[2];
if (!input) {
	process.stderr.write('usage: make-profile.mjs <default seccomp profile .json | ->\n');
	process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(input === '-' ? 0 : input, 'utf8'));
if (profile.defaultAction !== 'SCMP_ACT_ERRNO' || !Array.isArray(profile.syscalls)) {
	process.stderr.write('make-profile.mjs: expected a default-deny profile (defaultAction SCMP_ACT_ERRNO) with a syscalls list\n');
	process.exit(1);
}
const ADDITIONS = [
	{
		names: ['clone', 'unshare', 'setns'],
		action: 'SCMP_ACT_ALLOW',
		comment: "Alongside: Chromium's sandbox creates user, PID and network namespaces as an unprivileged user",
	},
	{
		names: ['chroot'],
		action: 'SCMP_ACT_ALLOW',
		comment: "Alongside: Chromium's sandbox chroots inside its own user namespace (the kernel still checks CAP_SYS_CHROOT)",
	},
];
profile.syscalls = profile.syscalls.filter((rule) => !String(rule.comment ?? '').startsWith('Alongside:')).concat(ADDITIONS);
process.stdout.write(`${JSON.stringify(profile, null, '\t')}\n`);
