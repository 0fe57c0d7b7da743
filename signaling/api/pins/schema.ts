/**
 * POST /api/companies/:companyId/pins: a customer (no account) asks for a PIN to read to
 * the agent. Answers 201.
 */
export interface IssuePinResponse {
	/** Six digits, shown to the customer and read aloud. Never stored in clear. */
	pin: string;
	expiresAt: number;
	/**
	 * Seconds until it expires, by the server's clock. Count down from this, not from
	 * `expiresAt`: a phone's clock may be minutes off.
	 */
	expiresIn: number;
	/**
	 * Secret the customer's page presents over the WebSocket (`pin/watch`) to be told when
	 * an agent redeemed the PIN, and to receive its session token.
	 */
	watchToken: string;
}

/** POST /api/companies/:companyId/pins/watch: what became of a PIN (see the route). */
export type WatchPinResponse = { state: 'waiting'; expiresIn: number } | { state: 'redeemed'; sessionId: string; token: string } | { state: 'gone' };
