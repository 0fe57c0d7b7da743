/**
 * SFU configuration, read from the environment. Every key has a default that works on a
 * fresh machine, on loopback and on a LAN, with no configuration at all.
 */
import os from 'node:os';
import { z } from 'zod';
import { readEnv } from '../protocol/env.js';

const SfuEnv = z.object({
	/**
	 * Number of mediasoup workers (one process each). Default: one per CPU core.
	 */
	ALONGSIDE_SFU_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.max(1, os.availableParallelism())),
	/**
	 * IP address the WebRtcServers listen on. Default `0.0.0.0` (every interface), so a
	 * phone on the LAN can reach it as well as a browser on this machine.
	 */
	ALONGSIDE_RTC_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
	/**
	 * First port of the WebRtcServers: worker N listens on port + N, UDP and TCP.
	 * Default 40000.
	 */
	ALONGSIDE_RTC_PORT: z.coerce.number().int().min(1024).max(65000).default(40000),
	/**
	 * Address announced in ICE candidates (an IP or a host name), for NAT or a load
	 * balancer. Default: unset, meaning "the local address the client's signaling
	 * connection arrived on", which is right for loopback and LAN without configuration.
	 */
	ALONGSIDE_RTC_ANNOUNCED_ADDRESS: z.string().trim().min(1).optional(),
	/** mediasoup worker log level. Default `warn`. */
	ALONGSIDE_SFU_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
	/** Bitrate a new viewer's downlink estimate starts from, in bit/s. Default 3 Mbit/s. */
	ALONGSIDE_SFU_INITIAL_BITRATE: z.coerce.number().int().min(100_000).max(50_000_000).default(3_000_000),
	/**
	 * WebRTC transports one participant may hold open. A viewer uses one to receive and, if
	 * it may send input, one to send. Default 4 (room for a transport being replaced).
	 */
	ALONGSIDE_MAX_TRANSPORTS_PER_PARTICIPANT: z.coerce.number().int().min(2).max(64).default(4),
	/** Video consumers one participant may hold open (one per rendition it watches). Default 4. */
	ALONGSIDE_MAX_CONSUMERS_PER_PARTICIPANT: z.coerce.number().int().min(1).max(64).default(4),
	/** Data channels one participant may hold open: its two input channels and its cursor subscription. Default 4. */
	ALONGSIDE_MAX_DATA_CHANNELS_PER_PARTICIPANT: z.coerce.number().int().min(5).max(64).default(6),
});

export type SfuConfig = {
	workers: number;
	listenIp: string;
	port: number;
	announcedAddress: string | undefined;
	logLevel: 'debug' | 'warn' | 'error' | 'none';
	initialAvailableOutgoingBitrate: number;
	/** Per participant: open transports, video consumers, data channels (input producers and cursor consumers). */
	perParticipant: { transports: number; consumers: number; dataChannels: number };
};

/** Reads and validates the SFU's configuration; throws naming the offending key. */
export function loadSfuConfig(env: NodeJS.ProcessEnv = process.env): SfuConfig {
	const e = readEnv(SfuEnv, env);
	return {
		workers: e.ALONGSIDE_SFU_WORKERS,
		listenIp: e.ALONGSIDE_RTC_LISTEN_IP,
		port: e.ALONGSIDE_RTC_PORT,
		announcedAddress: e.ALONGSIDE_RTC_ANNOUNCED_ADDRESS,
		logLevel: e.ALONGSIDE_SFU_LOG_LEVEL,
		initialAvailableOutgoingBitrate: e.ALONGSIDE_SFU_INITIAL_BITRATE,
		perParticipant: {
			transports: e.ALONGSIDE_MAX_TRANSPORTS_PER_PARTICIPANT,
			consumers: e.ALONGSIDE_MAX_CONSUMERS_PER_PARTICIPANT,
			dataChannels: e.ALONGSIDE_MAX_DATA_CHANNELS_PER_PARTICIPANT,
		},
	};
}
