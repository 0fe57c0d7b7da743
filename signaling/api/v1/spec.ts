/**
 * The integration API's operations: method, path, scope, and the schemas of each one's
 * parameters, body and answer. The router (routes.ts) serves exactly these, parsing with
 * these schemas; the OpenAPI document (openapi.ts) is made from this table.
 */
import type { z } from 'zod';
import type { ApiScope } from '../../store/Store.js';
import { IssuedPin, IssuePinBody, ListSessionsQuery, RecordingIdParams, RecordingLink, SessionIdParams, SessionList, SessionReport, SessionSummary } from './schema.js';

export interface Operation {
	id: string;
	method: 'get' | 'post';
	/** OpenAPI style: `/sessions/{id}` (under /api/v1). */
	path: string;
	scope: ApiScope;
	summary: string;
	description?: string;
	params?: z.ZodObject;
	query?: z.ZodObject;
	body?: z.ZodObject;
	status: 200 | 201 | 204;
	response?: z.ZodType;
}

export const OPERATIONS = [
	{
		id: 'issuePin',
		method: 'post',
		path: '/pins',
		scope: 'sessions:write',
		summary: 'Issue a PIN for a customer',
		description:
			"A PIN bound to your company, with your reference. Send the customer the `customerUrl`; an agent of your company redeems the PIN in the console (any other company's agent is told it is invalid), and the session keeps your reference.",
		body: IssuePinBody,
		status: 201,
		response: IssuedPin,
	},
	{
		id: 'listSessions',
		method: 'get',
		path: '/sessions',
		scope: 'sessions:read',
		summary: 'List sessions',
		description: 'Newest first; filter by your reference and by whether they are live.',
		query: ListSessionsQuery,
		status: 200,
		response: SessionList,
	},
	{
		id: 'getSession',
		method: 'get',
		path: '/sessions/{id}',
		scope: 'sessions:read',
		summary: 'Get a session',
		params: SessionIdParams,
		status: 200,
		response: SessionSummary,
	},
	{
		id: 'endSession',
		method: 'post',
		path: '/sessions/{id}/end',
		scope: 'sessions:write',
		summary: 'End a live session',
		description: 'Everyone in it is told; its recording is finished and kept. A session already ended is a 409.',
		params: SessionIdParams,
		status: 204,
	},
	{
		id: 'getSessionReport',
		method: 'get',
		path: '/sessions/{id}/report',
		scope: 'reports:read',
		summary: "Get a session's report",
		description: 'Its timeline (masked values never appear), its chat as supervisors see it, the wrap-up and its recordings.',
		params: SessionIdParams,
		status: 200,
		response: SessionReport,
	},
	{
		id: 'getRecordingLink',
		method: 'post',
		path: '/recordings/{id}/link',
		scope: 'recordings:read',
		summary: 'Get a link to a recording',
		description: "A link to the MP4 that works for 10 minutes and stops at once if the key is revoked. The video holds only what agents saw (masked).",
		params: RecordingIdParams,
		status: 200,
		response: RecordingLink,
	},
] as const satisfies readonly Operation[];

export type OperationId = (typeof OPERATIONS)[number]['id'];
