/** Public types of {@link Room}, kept beside it. */
import type { InputChannel, Rendition } from '../protocol/wire.js';

export type TransportDirection = 'send' | 'recv';

export interface RoomEvents {
	/** The router closed (session ended or worker died). */
	close: [];
	/** An input message arrived on a participant's input channel (raw, not yet parsed). */
	input: [participantId: string, channel: InputChannel, message: Buffer];
	/** A message arrived on a participant's annotation channel (raw, not yet parsed). */
	annotate: [participantId: string, message: Buffer];
	/** A rendition's producer was (re)created: viewers consuming it should re-consume. */
	producerchange: [rendition: Rendition];
}

export interface ConsumeInfo {
	consumerId: string;
	producerId: string;
	kind: 'video';
	rtpParameters: Record<string, unknown>;
	rendition: Rendition;
}

/** A viewer's subscription to a server channel (cursors, annotations): the wire's reply. */
export type { DataConsumerInfo } from '../protocol/wire.js';

/** A rendition's RTP, sent to a recorder on loopback (see Room.recordingTap). */
export interface RecordingTap {
	/** The producer tapped: a new one (the publisher started again) needs a new tap. */
	producerId: string;
	codec: { mimeType: string; payloadType: number; clockRate: number; parameters: Record<string, unknown> };
	/** Starts sending (the tap is created paused, so the recorder can listen first). */
	resume(): Promise<void>;
	requestKeyFrame(): Promise<void>;
	/** What was sent so far. */
	stats(): Promise<{ packets: number; bytes: number }>;
	close(): void;
	closed(): boolean;
}
