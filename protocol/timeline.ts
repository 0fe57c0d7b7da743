/**
 * A session report's timeline: its events and chat in one list, each with where it falls
 * in the recording (the recording is segments, each starting at a wall-clock time).
 * Plain functions, shared by the report page and the tests.
 */

/** What the timeline needs of a recording: its segments, each from a wall-clock time. */
export interface RecordingSegments {
	segments: Array<{ startedAt: number; durationMs?: number }>;
}

/** What the timeline needs of a report (see GET /api/sessions/:id/report). */
export interface ReportParts {
	events: Array<{ at: number; type: string } & Record<string, unknown>>;
	chat: Array<{ at: number; note: boolean } & Record<string, unknown>>;
	recordings: Array<RecordingSegments & { status: string }>;
}

export interface TimelineItem {
	at: number;
	kind: string;
	/** The event's fields, or the chat message's. */
	data: Record<string, unknown>;
	/** Where in the video this happened (seconds), or null if it was not being recorded then. */
	videoTime: number | null;
}

/** Where wall-clock time `at` falls in the recording, in seconds; null outside its segments. */
export function videoTimeOf(recording: RecordingSegments | null | undefined, at: number): number | null {
	if (!recording) return null;
	let offset = 0;
	for (const segment of recording.segments) {
		const length = segment.durationMs ?? 0;
		// NOTE: a little slack before a segment: "recording started" lands on its first frame.
		if (at >= segment.startedAt - 1500 && at <= segment.startedAt + length) return (offset + Math.max(0, at - segment.startedAt)) / 1000;
		offset += length;
	}
	return null;
}

/**
 * The wall-clock time (ms) of video time `seconds`: the inverse of {@link videoTimeOf}.
 * Past the last segment's end, that end; null without segments.
 */
export function wallTimeOf(recording: RecordingSegments | null | undefined, seconds: number): number | null {
	const segments = recording?.segments ?? [];
	if (segments.length === 0) return null;
	let offset = 0;
	const ms = Math.max(0, seconds * 1000);
	for (const segment of segments) {
		const length = segment.durationMs ?? 0;
		if (ms < offset + length) return segment.startedAt + (ms - offset);
		offset += length;
	}
	const last = segments.at(-1)!;
	return last.startedAt + (last.durationMs ?? 0);
}

/** The events and chat of a report, oldest first, each placed in the recording. */
export function timeline(report: ReportParts): TimelineItem[] {
	const recording = report.recordings.find((r) => r.status === 'ready') ?? null;
	const items: TimelineItem[] = [
		...report.events.map(({ at, type, ...data }) => ({ at, kind: type, data })),
		...report.chat.map(({ at, ...data }) => ({ at, kind: data.note ? 'note' : 'chat', data: data as Record<string, unknown> })),
	].map((item) => ({ ...item, videoTime: videoTimeOf(recording, item.at) }));
	return items.sort((a, b) => a.at - b.at);
}

/** The item playing at video time `seconds`: the last one at or before it. */
export function currentItem(items: TimelineItem[], seconds: number): number {
	let current = -1;
	items.forEach((item, i) => {
		if (item.videoTime !== null && item.videoTime <= seconds + 0.05) current = i;
	});
	return current;
}
