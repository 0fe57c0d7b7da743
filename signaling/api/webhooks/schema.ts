/** /api/webhooks: a company's admins register endpoints, see their deliveries and send again. */
import { z } from 'zod';
import { WEBHOOK_EVENTS, type WebhookDelivery, type WebhookEventType } from '../../store/Store.js';

export const CreateWebhookBody = z
	.object({
		url: z.string().trim().min(1).max(2000),
		events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
	})
	.strict();

export const UpdateWebhookBody = z
	.object({
		url: z.string().trim().min(1).max(2000),
		events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
		disabled: z.boolean(),
	})
	.partial()
	.strict();

export interface WebhookView {
	id: string;
	url: string;
	events: WebhookEventType[];
	createdAt: number;
	disabled: boolean;
}

/** A delivery as admins see it: not its body (the event), nor whose it is. */
export type DeliveryView = Omit<WebhookDelivery, 'webhookId' | 'companyId' | 'payload'>;

/** POST /api/webhooks answers 201 with the endpoint and, this once, its signing secret. */
export interface CreateWebhookResponse {
	webhook: WebhookView;
	secret: string;
}

export interface ListWebhooksResponse {
	webhooks: WebhookView[];
}

export interface ListDeliveriesResponse {
	deliveries: DeliveryView[];
}
