/** /api/api-keys: a company's admins make, list and revoke keys for the integration API. */
import { z } from 'zod';
import { API_SCOPES, type ApiScope } from '../../store/Store.js';

export const CreateApiKeyBody = z
	.object({
		name: z.string().trim().min(1).max(80),
		scopes: z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length),
	})
	.strict();

/** A key as admins see it: never its secret, nor the hash of it. */
export interface ApiKeyView {
	id: string;
	name: string;
	scopes: ApiScope[];
	createdAt: number;
	createdBy: string | null;
	lastUsedAt: number | null;
	revokedAt: number | null;
}

/** POST /api/api-keys answers 201 with the key and, this once, its token. */
export interface CreateApiKeyResponse {
	key: ApiKeyView;
	/** `alsk_…`: shown once; only a hash of it is kept. */
	token: string;
}

export interface ListApiKeysResponse {
	keys: ApiKeyView[];
}
