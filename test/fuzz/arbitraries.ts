/**
 * Generators for the fuzz suite (fast-check): well-formed values drawn from the wire and REST
 * schemas (through their JSON Schema, `z.toJSONSchema`), hostile values, and mutations that
 * turn a well-formed value into an almost-well-formed one, which is where parsers break.
 */
import fc from 'fast-check';
import { z } from 'zod';

/** The subset of JSON Schema that `z.toJSONSchema` writes for our schemas. */
interface JsonSchema {
	type?: string | string[];
	properties?: Record<string, JsonSchema>;
	required?: string[];
	additionalProperties?: boolean | JsonSchema;
	items?: JsonSchema;
	enum?: unknown[];
	const?: unknown;
	oneOf?: JsonSchema[];
	anyOf?: JsonSchema[];
	minLength?: number;
	maxLength?: number;
	minimum?: number;
	maximum?: number;
	minItems?: number;
	/** A tuple's items, in order. */
	prefixItems?: JsonSchema[];
	maxItems?: number;
	pattern?: string;
	format?: string;
}

/** Well-formed values of a zod schema (its input side: before defaults and transforms). */
export function valuesOf(schema: z.ZodType): fc.Arbitrary<unknown> {
	return fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, 0);
}

function fromJsonSchema(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
	const variants = schema.oneOf ?? schema.anyOf;
	if (variants) return fc.oneof(...variants.map((v) => fromJsonSchema(v, depth + 1)));
	if ('const' in schema) return fc.constant(schema.const);
	if (schema.enum) return fc.constantFrom(...schema.enum);
	switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
		case 'object': {
			const properties = schema.properties ?? {};
			const record = fc.record(
				Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fromJsonSchema(value, depth + 1)])),
				{ requiredKeys: (schema.required ?? []).filter((key) => key in properties) },
			);
			if (typeof schema.additionalProperties === 'object' && Object.keys(properties).length === 0) {
				return fc.dictionary(fc.string({ maxLength: 12 }), depth < 3 ? fc.jsonValue({ maxDepth: 2 }) : fc.constant(null), { maxKeys: 6 });
			}
			return record;
		}
		case 'string': {
			if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
			if (schema.format === 'uri') return fc.webUrl();
			if (schema.format === 'email') return fc.emailAddress();
			const minLength = schema.minLength ?? 0;
			const maxLength = Math.min(schema.maxLength ?? 80, Math.max(minLength, 80));
			return fc.oneof(fc.string({ minLength, maxLength }), fc.constant('x'.repeat(schema.maxLength ?? minLength)));
		}
		case 'integer':
			return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
		case 'number':
			return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
		case 'boolean':
			return fc.boolean();
		case 'null':
			return fc.constant(null);
		case 'array':
			if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((item) => fromJsonSchema(item, depth + 1)));
			return fc.array(schema.items ? fromJsonSchema(schema.items, depth + 1) : fc.jsonValue({ maxDepth: 1 }), {
				minLength: schema.minItems ?? 0,
				maxLength: Math.min(schema.maxItems ?? 5, 12),
			});
		default:
			return fc.jsonValue({ maxDepth: 2 });
	}
}

/** Keys that have hurt JavaScript servers: inherited from Object.prototype, or special to parsers. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'then'];

/** Nested `depth` levels of arrays: what recursive code chokes on. */
function nested(depth: number): unknown {
	let value: unknown = 0;
	for (let i = 0; i < depth; i++) value = [value];
	return value;
}

/** Values that are wrong for almost any field, each for its own reason. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
	fc.constantFrom<unknown>(
		null,
		true,
		0,
		-0,
		-1,
		1.5,
		1e308,
		-1e308,
		2 ** 53 + 2,
		Number.MAX_SAFE_INTEGER,
		'',
		' ',
		'\u0000',
		'\ud800',
		'\u202e\u200b',
		'NaN',
		'Infinity',
		'1e400',
		'<script>alert(1)</script>',
		"'; DROP TABLE users; --",
		'../../../../etc/passwd',
		'javascript:alert(1)',
		[],
		{},
		nested(200),
		// NOTE: long, but inside the WebSocket frame limit (64 KiB): larger frames close the socket (tested on their own).
		'x'.repeat(40_000),
	),
	fc.constantFrom(...PROTOTYPE_KEYS),
	fc.string({ maxLength: 40, unit: 'binary' }),
	fc.jsonValue({ maxDepth: 3 }),
	fc.dictionary(fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** A value with one thing wrong: a field removed, replaced by a hostile value, or an extra key. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
	return fc.tuple(valid, fc.nat(), fc.constantFrom('drop', 'replace', 'add', 'whole'), hostileValue, fc.constantFrom(...PROTOTYPE_KEYS, 'extra')).map(([value, pick, how, hostile, key]) => {
		if (how === 'whole' || value === null || typeof value !== 'object') return hostile;
		const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
		const keys = Object.keys(copy);
		const target = keys.length > 0 ? keys[pick % keys.length]! : key;
		if (how === 'drop') delete copy[target];
		else if (how === 'replace') copy[target] = hostile;
		else Object.defineProperty(copy, key, { value: hostile, enumerable: true, writable: true, configurable: true });
		return copy;
	});
}

/**
 * JSON texts that JSON.stringify never writes: numbers out of range, duplicate and
 * prototype keys, deep nesting, truncation, and non-JSON.
 */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
	fc.constantFrom(
		'',
		'null',
		'[]',
		'"x"',
		'1e999',
		'{"id":1e999,"type":"session/join"}',
		'{"id":-0,"type":"pin/watch","data":{"watchToken":1e999}}',
		'{"id":9007199254740993,"type":"session/leave"}',
		'{"__proto__":{"polluted":1},"id":3,"type":"session/leave"}',
		'{"id":4,"type":"session/join","data":{"__proto__":{"polluted":1},"token":"x"}}',
		'{"id":5,"type":"transport/create","data":{"constructor":{"prototype":{"polluted":1}}}}',
		'{"id":6,"type":"session/leave","type":"constructor"}',
		'{"id":7,"type":"toString"}',
		'{"id":8',
		'{"id":9,"type":"session/join","data":' + '['.repeat(5_000) + ']'.repeat(5_000) + '}',
		'\u0000\u0001\u0002',
		'\ud800',
	),
	fc.string({ maxLength: 200 }),
	fc.string({ maxLength: 60, unit: 'binary' }),
);
