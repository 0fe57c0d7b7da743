/**
 * Looking at a recorded file the way a reviewer would: ffprobe for what it is, ffmpeg to
 * decode its frames, and counts of pixels of given colours in each frame.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Probe {
	codec: string;
	width: number;
	height: number;
	durationMs: number;
	/** Whether the MP4's index (moov) comes before its media (streams in a browser at once). */
	faststart: boolean;
}

export async function probe(file: string): Promise<Probe> {
	const { stdout } = await exec('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file]);
	const json = JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }>; format: { duration: string } };
	const atoms = topLevelBoxes(fs.readFileSync(file)).filter((type) => type === 'moov' || type === 'mdat');
	return {
		codec: json.streams[0]!.codec_name,
		width: json.streams[0]!.width,
		height: json.streams[0]!.height,
		// NOTE: NaN for a fragmented MP4 cut short (no index at its end).
		durationMs: Math.round(Number.parseFloat(json.format.duration) * 1000),
		faststart: atoms[0] === 'moov',
	};
}

/** An RGB colour and how far (per channel) a decoded pixel may be from it. */
export interface Colour {
	rgb: [number, number, number];
	tolerance: number;
}

/**
 * Decodes `fps` frames a second (scaled to 640 px wide) and counts, per frame, the pixels
 * near each colour. Also returns every decoded frame's time.
 */
export async function colourCounts(file: string, colours: Record<string, Colour>, fps = 4): Promise<Array<{ t: number; counts: Record<string, number> }>> {
	const width = 640;
	const info = await probe(file);
	const height = Math.round((info.height * width) / info.width / 2) * 2;
	const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', file, '-vf', `fps=${fps},scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
		encoding: 'buffer',
		maxBuffer: 1024 * 1024 * 1024,
	});
	const frameBytes = width * height * 3;
	const frames: Array<{ t: number; counts: Record<string, number> }> = [];
	for (let offset = 0, i = 0; offset + frameBytes <= stdout.length; offset += frameBytes, i++) {
		const counts: Record<string, number> = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
		for (let p = offset; p < offset + frameBytes; p += 3) {
			for (const [name, { rgb, tolerance }] of Object.entries(colours)) {
				if (Math.abs(stdout[p]! - rgb[0]) <= tolerance && Math.abs(stdout[p + 1]! - rgb[1]) <= tolerance && Math.abs(stdout[p + 2]! - rgb[2]) <= tolerance) counts[name]!++;
			}
		}
		frames.push({ t: i / fps, counts });
	}
	return frames;
}

/** The types of an MP4's top-level boxes, in order. */
export function topLevelBoxes(bytes: Buffer): string[] {
	const types: string[] = [];
	for (let offset = 0; offset + 8 <= bytes.length; ) {
		let size = bytes.readUInt32BE(offset);
		const type = bytes.toString('latin1', offset + 4, offset + 8);
		if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
		if (size === 0) size = bytes.length - offset;
		if (size < 8) break;
		types.push(type);
		offset += size;
	}
	return types;
}
