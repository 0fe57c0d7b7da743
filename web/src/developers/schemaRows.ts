/**
 * An OpenAPI document's schemas as rows people read: `sessions[].agent.name`, its type,
 * whether it is required, and what it means. Pure; the reference page renders the rows.
 */

export interface Row {
	name: string;
	type: string;
	required: boolean;
	description: string;
}

type Schema = {
	$ref?: string;
	type?: string | string[];
	properties?: Record<string, Schema>;
	required?: string[];
	items?: Schema;
	anyOf?: Schema[];
	oneOf?: Schema[];
	enum?: unknown[];
	const?: unknown;
	format?: string;
	description?: string;
	additionalProperties?: unknown;
};

/** Follows a local `$ref` (#/components/schemas/X). */
export function resolve(schema: Schema | undefined, doc: unknown): Schema {
	let current = schema ?? {};
	for (let hops = 0; current.$ref && hops < 20; hops++) {
		const path = current.$ref.replace(/^#\//, '').split('/');
		let target: unknown = doc;
		for (const part of path) target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
		current = { ...(target as Schema), ...(current.description ? { description: current.description } : {}) };
	}
	return current;
}

/** A short type: `string`, `integer`, `"live" | "ended"`, `Session[]`, `string | null`. */
export function typeOf(schema: Schema | undefined, doc: unknown): string {
	if (!schema) return 'any';
	if (schema.$ref) return schema.$ref.split('/').at(-1)!;
	const alternatives = schema.anyOf ?? schema.oneOf;
	if (alternatives) return alternatives.map((s) => typeOf(s, doc)).join(' | ');
	if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
	if (schema.const !== undefined) return JSON.stringify(schema.const);
	const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
	if (type === 'array') return `${typeOf(schema.items, doc)}[]`;
	if (type === 'string' && schema.format) return `string (${schema.format})`;
	return type ?? 'object';
}

/** The fields of a schema, nested ones with dotted names, arrays with `[]`. */
export function rows(schema: Schema | undefined, doc: unknown, prefix = '', depth = 0): Row[] {
	const s = resolve(schema, doc);
	if (depth > 6) return [];
	const alternatives = (s.anyOf ?? s.oneOf)?.map((a) => resolve(a, doc)).filter((a) => a.type !== 'null');
	if (alternatives?.length === 1) return rows(alternatives[0], doc, prefix, depth);
	if (s.type === 'array' && prefix) return rows(s.items, doc, `${prefix}[]`, depth + 1);
	const out: Row[] = [];
	for (const [name, child] of Object.entries(s.properties ?? {})) {
		const full = prefix ? `${prefix}.${name}` : name;
		const resolved = resolve(child, doc);
		out.push({ name: full, type: typeOf(child, doc), required: (s.required ?? []).includes(name), description: child.description ?? resolved.description ?? '' });
		const inner = (resolved.anyOf ?? resolved.oneOf)?.map((a) => resolve(a, doc)).find((a) => a.type === 'object' || a.type === 'array') ?? resolved;
		if (inner.type === 'object' && inner.properties) out.push(...rows(inner, doc, full, depth + 1));
		if (inner.type === 'array') {
			const item = resolve(inner.items, doc);
			if (item.properties) out.push(...rows(item, doc, `${full}[]`, depth + 1));
		}
	}
	return out;
}
