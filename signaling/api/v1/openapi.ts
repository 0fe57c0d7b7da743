/**
 * The integration API's OpenAPI 3.1 document, made from the operations table and its zod
 * schemas (spec.ts, schema.ts), and served at GET /api/openapi.json. A human-readable
 * reference is at /developers/.
 */
import Router from '@koa/router';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { ApiError } from './schema.js';
import { OPERATIONS, type Operation } from './spec.js';

const ERRORS: Record<string, string> = {
	'400': 'The request is malformed; the message names the field.',
	'401': 'No API key, or an unknown, wrong or revoked one.',
	'403': 'The key lacks the scope this operation needs.',
	'404': 'No such thing in your company.',
	'409': 'The thing is not in a state for this (a session already ended, a recording not ready).',
	'429': 'Too many requests with this key; retry after the Retry-After header.',
};

/** The document, for the service at `serverUrl`. */
export function openApiDocument(serverUrl: string): ReturnType<typeof createDocument> {
	const paths: ZodOpenApiPathsObject = {};
	for (const op of OPERATIONS as readonly Operation[]) {
		const errors = Object.fromEntries(
			Object.entries(ERRORS)
				.filter(([status]) => (status !== '404' || op.params) && (status !== '409' || op.id === 'endSession' || op.id === 'getRecordingLink') && (status !== '400' || op.params || op.query || op.body))
				.map(([status, description]) => [status, { description, content: { 'application/json': { schema: ApiError } } }]),
		);
		const operation: ZodOpenApiOperationObject = {
			operationId: op.id,
			summary: op.summary,
			...(op.description ? { description: `${op.description}\n\nScope: \`${op.scope}\`.` } : { description: `Scope: \`${op.scope}\`.` }),
			security: [{ apiKey: [] }],
			'x-scope': op.scope,
			...(op.params || op.query ? { requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) } } : {}),
			...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
			responses: {
				[String(op.status)]: op.response ? { description: 'OK', content: { 'application/json': { schema: op.response } } } : { description: 'Done; no body.' },
				...errors,
			},
		};
		paths[`/api/v1${op.path}`] = { ...paths[`/api/v1${op.path}`], [op.method]: operation };
	}
	return createDocument({
		openapi: '3.1.0',
		info: {
			title: 'Alongside integration API',
			version: '1',
			description:
				'For your own systems (a CRM, a contact-centre suite): issue PINs with your reference, list and end sessions, read reports, get links to recordings. Authenticate with an API key made by an admin of your company (admin page, Integrations): `Authorization: Bearer alsk_…`. Each key has scopes and its own rate limit; a revoked key is refused at once. Errors are `{ "error": { "code", "message" } }` with stable codes.',
		},
		servers: [{ url: serverUrl }],
		components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'alsk_<id>_<secret>' } } },
		paths,
	});
}

export function openApiRoutes(publicUrl: (ctx: { protocol: string; host: string }) => string): Router {
	const router = new Router();
	let cached: { url: string; body: string } | undefined;
	router.get('/api/openapi.json', (ctx) => {
		const url = publicUrl(ctx);
		if (cached?.url !== url) cached = { url, body: JSON.stringify(openApiDocument(url), null, 2) };
		ctx.type = 'application/json';
		ctx.set('Cache-Control', 'public, max-age=300');
		ctx.body = cached.body;
	});
	return router;
}
