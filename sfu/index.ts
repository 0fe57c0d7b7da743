/**
 * The SFU service: mediasoup workers and per-session rooms. Nothing outside sfu/ imports
 * mediasoup; other services use these classes.
 */
export { loadSfuConfig, type SfuConfig } from './config.js';
export { Room, announceable } from './Room.js';
export type { ConsumeInfo, DataConsumerInfo, RoomEvents, TransportDirection } from './RoomTypes.js';
export { MEDIA_CODECS, Sfu } from './Sfu.js';
