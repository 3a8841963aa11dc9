import os from 'node:os';
import { z } from 'zod';
import type { ConnectionLimits } from './signalling/connection-limits.ts';
import { MIN_ANALYZER_TOKEN_LENGTH, MIN_SESSION_SECRET_LENGTH, envBool, envInt, envLogLevel, envString, loadConfig, parseOriginList, DEFAULT_DASHBOARD_ORIGINS } from '@moodroom/shared';

/**
 * The SFU's configuration: environment variables with embedded defaults (documented in
 * apps/sfu/README.md). Defaults suit a developer machine; production sets SFU_CORS_ORIGINS and
 * SFU_RTC_ANNOUNCED_ADDRESS.
 */
export const sfuEnvSchema = z.object({
  SFU_HOST: envString('0.0.0.0'),
  SFU_PORT: envInt(4000, 0, 65535),
  /** Comma-separated browser origins allowed to open the signalling socket. */
  SFU_CORS_ORIGINS: envString(DEFAULT_DASHBOARD_ORIGINS),
  /** mediasoup workers (one process each); 0 = one per CPU core. */
  SFU_WORKERS: envInt(0, 0, 256),
  SFU_WORKER_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  SFU_RTC_LISTEN_IP: envString('0.0.0.0'),
  /** Address put in ICE candidates; empty = first non-internal IPv4 of this host, else 127.0.0.1. */
  SFU_RTC_ANNOUNCED_ADDRESS: z.string().default(''),
  SFU_RTC_MIN_PORT: envInt(40000, 1024, 65535),
  SFU_RTC_MAX_PORT: envInt(49999, 1024, 65535),
  SFU_RTC_ENABLE_UDP: envBool(true),
  SFU_RTC_ENABLE_TCP: envBool(true),
  SFU_RTC_PREFER_UDP: envBool(true),
  SFU_INITIAL_OUTGOING_BITRATE: envInt(1_000_000, 100_000),
  /** Per-transport cap on what one sender may push (bits/s); 0 = no cap. */
  SFU_MAX_INCOMING_BITRATE: envInt(3_000_000, 0),
  SFU_MAX_PEERS_PER_ROOM: envInt(50, 1, 10_000),
  SFU_MAX_TRANSPORTS_PER_PEER: envInt(4, 2, 64),
  SFU_MAX_PRODUCERS_PER_PEER: envInt(8, 1, 64),
  SFU_MAX_CONSUMERS_PER_PEER: envInt(200, 1, 10_000),
  /** How long an empty room keeps its router, so a quick reload rejoins the same room. */
  SFU_EMPTY_ROOM_GRACE_MS: envInt(10_000, 0),
  /** Largest signalling message accepted (bytes); mediasoup parameters are a few KiB. */
  SFU_MAX_MESSAGE_BYTES: envInt(64 * 1024, 4 * 1024, 16 * 1024 * 1024),
  /** Signalling messages one participant connection may send: a steady rate and a burst. */
  SFU_MAX_MESSAGES_PER_SECOND: envInt(50, 1, 100_000),
  /** Joining a full room sends ~4 messages (consume, resume × audio, video) per peer already in it. */
  SFU_MESSAGE_BURST: envInt(250, 1, 1_000_000),
  /** Messages refused for rate a minute before the connection is dropped. */
  SFU_MAX_RATE_VIOLATIONS_PER_MINUTE: envInt(100, 1, 1_000_000),
  SFU_MAX_JOIN_ATTEMPTS_PER_MINUTE: envInt(20, 1, 100_000),
  /**
   * Per client address (IPv4, or an IPv6 /64). Connections: what one household or office NAT opens
   * at once (each tab is one). Joins: shared by all its connections, so reconnecting buys none.
   * 0 = no limit (behind a reverse proxy every client has the proxy's address).
   */
  SFU_MAX_CONNECTIONS_PER_IP: envInt(64, 0, 1_000_000),
  SFU_MAX_JOIN_ATTEMPTS_PER_IP_PER_MINUTE: envInt(120, 0, 10_000_000),
  SFU_LOG_LEVEL: envLogLevel(),
  /**
   * Shared secret the analyzer presents on the /analyzer namespace. Unset (or empty): the analyzer
   * link is closed and every analyzer connection is refused.
   */
  ANALYZER_SERVICE_TOKEN: z
    .string()
    .default('')
    .refine((t) => t === '' || t.length >= MIN_ANALYZER_TOKEN_LENGTH, `at least ${MIN_ANALYZER_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`), or unset to disable the analyzer link`),
  /**
   * Verifies facilitated sessions' invite links (the same value as the analyzer's, which issues
   * them). Unset: every room is a plain call and nobody is analysed.
   */
  SESSION_SECRET: z
    .string()
    .default('')
    .refine((t) => t === '' || t.length >= MIN_SESSION_SECRET_LENGTH, `at least ${MIN_SESSION_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`), the same as the analyzer's`),
  SFU_ANALYZER_MAX_TRANSPORTS: envInt(500, 1, 100_000),
  SFU_ANALYZER_MAX_CONSUMERS: envInt(500, 1, 100_000),
});

export type SfuEnv = z.infer<typeof sfuEnvSchema>;

export interface SfuConfig {
  http: { host: string; port: number; corsOrigins: string[]; maxMessageBytes: number };
  workers: { count: number; logLevel: SfuEnv['SFU_WORKER_LOG_LEVEL'] };
  rtc: {
    listenIp: string;
    announcedAddress: string;
    portRange: { min: number; max: number };
    enableUdp: boolean;
    enableTcp: boolean;
    preferUdp: boolean;
    initialOutgoingBitrate: number;
    maxIncomingBitrate: number;
  };
  limits: { peersPerRoom: number; transportsPerPeer: number; producersPerPeer: number; consumersPerPeer: number };
  /** Per participant connection: message rate, join attempts (signalling/connection-limits.ts). */
  connection: ConnectionLimits;
  /** The analyzer link: token undefined = disabled; limits per analyzer connection. */
  analyzer: { token: string | undefined; maxTransports: number; maxConsumers: number };
  /** Verifies invite links; undefined = no facilitated sessions (no analysis). */
  sessionSecret: string | undefined;
  emptyRoomGraceMs: number;
  logLevel: SfuEnv['SFU_LOG_LEVEL'];
}

type Interfaces = ReturnType<typeof os.networkInterfaces>;

/** The address browsers should reach: this host's first non-internal IPv4, else loopback. */
export function detectAnnouncedAddress(interfaces: Interfaces): string {
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/** SFU_CORS_ORIGINS → origins (the shared rules: no "*", real origins only). */
export const parseOrigins = (value: string): string[] => parseOriginList('SFU_CORS_ORIGINS', value);

/** Pure: environment → config. `cores` and `interfaces` are injectable for tests. */
export function configFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  host: { cores: number; interfaces: Interfaces } = { cores: os.availableParallelism(), interfaces: os.networkInterfaces() },
): SfuConfig {
  const e = loadConfig(sfuEnvSchema, env);
  if (e.SFU_RTC_MIN_PORT > e.SFU_RTC_MAX_PORT) {
    throw new Error(`SFU_RTC_MIN_PORT (${e.SFU_RTC_MIN_PORT}) must not exceed SFU_RTC_MAX_PORT (${e.SFU_RTC_MAX_PORT})`);
  }
  if (!e.SFU_RTC_ENABLE_UDP && !e.SFU_RTC_ENABLE_TCP) {
    throw new Error('SFU_RTC_ENABLE_UDP and SFU_RTC_ENABLE_TCP are both false: enable at least one');
  }
  const announced = e.SFU_RTC_ANNOUNCED_ADDRESS.trim();
  return {
    http: { host: e.SFU_HOST, port: e.SFU_PORT, corsOrigins: parseOrigins(e.SFU_CORS_ORIGINS), maxMessageBytes: e.SFU_MAX_MESSAGE_BYTES },
    workers: { count: e.SFU_WORKERS === 0 ? Math.max(1, host.cores) : e.SFU_WORKERS, logLevel: e.SFU_WORKER_LOG_LEVEL },
    rtc: {
      listenIp: e.SFU_RTC_LISTEN_IP,
      announcedAddress: announced || (isWildcard(e.SFU_RTC_LISTEN_IP) ? detectAnnouncedAddress(host.interfaces) : e.SFU_RTC_LISTEN_IP),
      portRange: { min: e.SFU_RTC_MIN_PORT, max: e.SFU_RTC_MAX_PORT },
      enableUdp: e.SFU_RTC_ENABLE_UDP,
      enableTcp: e.SFU_RTC_ENABLE_TCP,
      preferUdp: e.SFU_RTC_PREFER_UDP,
      initialOutgoingBitrate: e.SFU_INITIAL_OUTGOING_BITRATE,
      maxIncomingBitrate: e.SFU_MAX_INCOMING_BITRATE,
    },
    limits: {
      peersPerRoom: e.SFU_MAX_PEERS_PER_ROOM,
      transportsPerPeer: e.SFU_MAX_TRANSPORTS_PER_PEER,
      producersPerPeer: e.SFU_MAX_PRODUCERS_PER_PEER,
      consumersPerPeer: e.SFU_MAX_CONSUMERS_PER_PEER,
    },
    connection: {
      messagesPerSecond: e.SFU_MAX_MESSAGES_PER_SECOND,
      messageBurst: e.SFU_MESSAGE_BURST,
      violationsPerMinute: e.SFU_MAX_RATE_VIOLATIONS_PER_MINUTE,
      joinAttemptsPerMinute: e.SFU_MAX_JOIN_ATTEMPTS_PER_MINUTE,
      perAddress: { connections: e.SFU_MAX_CONNECTIONS_PER_IP, joinAttemptsPerMinute: e.SFU_MAX_JOIN_ATTEMPTS_PER_IP_PER_MINUTE },
    },
    analyzer: { token: e.ANALYZER_SERVICE_TOKEN || undefined, maxTransports: e.SFU_ANALYZER_MAX_TRANSPORTS, maxConsumers: e.SFU_ANALYZER_MAX_CONSUMERS },
    sessionSecret: e.SESSION_SECRET || undefined,
    emptyRoomGraceMs: e.SFU_EMPTY_ROOM_GRACE_MS,
    logLevel: e.SFU_LOG_LEVEL,
  };
}

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}
