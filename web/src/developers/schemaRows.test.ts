import { describe, expect, it } from 'vitest';
import { rows, typeOf } from './schemaRows';

const doc = {
	components: {
		schemas: {
			Session: { type: 'object', properties: { id: { type: 'string' }, agent: { type: 'object', properties: { name: { anyOf: [{ type: 'string' }, { type: 'null' }] } }, required: ['name'] } }, required: ['id'] },
		},
	},
};

describe('the reference page reading a schema', () => {
	it('lists nested and listed fields with dotted names, types and whether they are required', () => {
		const list = { type: 'object', properties: { sessions: { type: 'array', items: { $ref: '#/components/schemas/Session' } }, status: { type: 'string', enum: ['live', 'ended'], description: 'Which.' } }, required: ['sessions'] };
		expect(rows(list, doc)).toEqual([
			{ name: 'sessions', type: 'Session[]', required: true, description: '' },
			{ name: 'sessions[].id', type: 'string', required: true, description: '' },
			{ name: 'sessions[].agent', type: 'object', required: false, description: '' },
			{ name: 'sessions[].agent.name', type: 'string | null', required: true, description: '' },
			{ name: 'status', type: '"live" | "ended"', required: false, description: 'Which.' },
		]);
		expect(typeOf({ type: 'string', format: 'uri' }, doc)).toBe('string (uri)');
	});
});
