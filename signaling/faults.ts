/**
 * Fault containment: one connection, session or cloud browser failing never takes down the
 * others.
 *
 * Work done for a participant's connection or for a session runs inside its {@link FaultScope}
 * (an AsyncLocalStorage store, so promises and callbacks created there carry it). An error
 * that escapes every handler (an unhandled rejection, an uncaught exception) is caught by
 * the process-wide handlers that {@link installFaultHandlers} registers: it is logged with
 * the scope's context, counted, and ends just that scope (the connection closes, the
 * session ends). Everyone else is served on.
 *
 * NOTE: Node runs an 'unhandledRejection' listener in the async context of the rejected
 * promise, and an 'uncaughtException' listener in the context of the callback that threw,
 * so the scope is known there. I/O callbacks run in the context of the resource that
 * emits them (a socket accepted by the server has none), which is why event handlers
 * enter their scope explicitly with {@link runInScope}.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/** A unit of work that can fail on its own. */
export interface FaultScope {
	kind: 'connection' | 'session';
	/** Connection or session id, for the log. */
	id: string;
	/** Ends the unit (closes the connection, ends the session). Must not throw. */
	fail(error: unknown): void;
}

const scopes = new AsyncLocalStorage<FaultScope>();

/** Runs `fn` (and everything it starts) inside `scope`. */
export function runInScope<T>(scope: FaultScope, fn: () => T): T {
	return scopes.run(scope, fn);
}

/** The scope the current code runs in, if any. */
export function currentScope(): FaultScope | undefined {
	return scopes.getStore();
}

export interface FaultHandlerOptions {
	logger: Logger;
	/** Counts one escaped error (`alongside_unhandled_errors_total`). */
	count(labels: { scope: FaultScope['kind'] | 'none'; kind: 'rejection' | 'exception' }): void;
}

/**
 * Registers the process-wide last line of defence: escaped errors end only their own
 * scope; errors outside any scope are logged and counted, and the process keeps running.
 * Returns the function that unregisters the handlers.
 */
export function installFaultHandlers(options: FaultHandlerOptions): () => void {
	const handle = (kind: 'rejection' | 'exception', error: unknown) => {
		const scope = currentScope();
		try {
			options.count({ scope: scope?.kind ?? 'none', kind });
			options.logger.error({ err: error, scope: scope && { kind: scope.kind, id: scope.id }, kind }, 'unhandled error contained');
			scope?.fail(error);
		} catch (secondary) {
			// NOTE: the handler itself must never throw: that would end the process.
			process.stderr.write(`alongside: error while containing an error: ${String(secondary)}\n`);
		}
	};
	const onRejection = (reason: unknown) => handle('rejection', reason);
	const onException = (error: Error) => handle('exception', error);
	process.on('unhandledRejection', onRejection);
	process.on('uncaughtException', onException);
	return () => {
		process.off('unhandledRejection', onRejection);
		process.off('uncaughtException', onException);
	};
}
