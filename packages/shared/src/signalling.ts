import { z } from 'zod';

/**
 * The SFU's socket.io signalling protocol (namespace "/"), between browsers (mediasoup-client)
 * and apps/sfu. Client → server events take (payload, ack) and the ack receives Ack<Response>.
 * Server → client events are plain emits. Every payload crossing the wire is parsed with these
 * schemas on the receiving side.
 *
 * mediasoup's own parameter objects (RTP capabilities/parameters, DTLS parameters) are validated
 * structurally here — required keys, types and sizes — and semantically by mediasoup itself,
 * whose errors become error acks.
 */

export const MAX_DISPLAY_NAME = 64;

export const roomIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'room id: 1-64 letters, digits, "_" or "-"');
export const idSchema = z.string().min(1).max(128);
export const displayNameSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'display name is required').max(MAX_DISPLAY_NAME));

export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;
/** What a producer carries; the analyzer only ever consumes "camera". */
export const mediaSourceSchema = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

const rtcpFeedbackSchema = z.object({ type: z.string().max(64), parameter: z.string().max(64).optional() }).passthrough();
const codecCapabilitySchema = z
  .object({
    kind: mediaKindSchema,
    mimeType: z.string().max(64),
    preferredPayloadType: z.number().int().min(0).max(127).optional(),
    clockRate: z.number().int().positive(),
    channels: z.number().int().positive().max(8).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    rtcpFeedback: z.array(rtcpFeedbackSchema).max(32).optional(),
  })
  .passthrough();
const headerExtensionCapabilitySchema = z
  .object({ kind: mediaKindSchema, uri: z.string().max(256), preferredId: z.number().int() })
  .passthrough();
export const rtpCapabilitiesSchema = z
  .object({
    codecs: z.array(codecCapabilitySchema).max(64).optional(),
    headerExtensions: z.array(headerExtensionCapabilitySchema).max(64).optional(),
  })
  .passthrough();

const codecParametersSchema = z
  .object({
    mimeType: z.string().max(64),
    payloadType: z.number().int().min(0).max(127),
    clockRate: z.number().int().positive(),
    channels: z.number().int().positive().max(8).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    rtcpFeedback: z.array(rtcpFeedbackSchema).max(32).optional(),
  })
  .passthrough();
export const rtpParametersSchema = z
  .object({
    mid: z.string().max(32).optional(),
    codecs: z.array(codecParametersSchema).min(1).max(16),
    headerExtensions: z.array(z.object({ uri: z.string().max(256), id: z.number().int() }).passthrough()).max(32).optional(),
    encodings: z.array(z.record(z.string(), z.unknown())).max(8).optional(),
    rtcp: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

export const dtlsParametersSchema = z
  .object({
    role: z.enum(['auto', 'client', 'server']).optional(),
    fingerprints: z
      .array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) }))
      .min(1)
      .max(8),
  })
  .passthrough();

// ---- client → server -------------------------------------------------------------------------

export const joinRequestSchema = z.object({
  roomId: roomIdSchema,
  displayName: displayNameSchema,
  /**
   * Whether this participant allows emotion analysis of their camera. Defaults to false: nothing is
   * forwarded to the analyzer unless the participant said yes.
   */
  analysisConsent: z.boolean().default(false),
  /**
   * The participant token of a facilitated session (the invite link's `#invite=`). Without one the
   * room is a plain call and nobody in it is analysed, whatever analysisConsent says.
   */
  invite: z.string().min(1).max(4096).optional(),
});
export type JoinRequest = z.input<typeof joinRequestSchema>;

export const producerInfoSchema = z.object({
  producerId: idSchema,
  peerId: idSchema,
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfoSchema>;

export const peerInfoSchema = z.object({
  peerId: idSchema,
  displayName: z.string(),
  producers: z.array(producerInfoSchema),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

export const joinResponseSchema = z.object({
  peerId: idSchema,
  roomId: roomIdSchema,
  routerRtpCapabilities: rtpCapabilitiesSchema,
  peers: z.array(peerInfoSchema),
  /** The facilitated session this call belongs to (from the verified invite); null for a plain call. */
  session: z.object({ title: z.string(), purpose: z.string(), analysisEnabled: z.boolean(), retentionDays: z.number().int() }).nullable().default(null),
  /** Whether this participant is analysed now (consent asked for AND allowed by the session). */
  analysisConsent: z.boolean().default(false),
});
export type JoinResponse = z.infer<typeof joinResponseSchema>;

export const createTransportRequestSchema = z.object({
  direction: z.enum(['send', 'recv']),
});
export const transportOptionsSchema = z.object({
  id: idSchema,
  iceParameters: z.record(z.string(), z.unknown()),
  iceCandidates: z.array(z.record(z.string(), z.unknown())),
  dtlsParameters: dtlsParametersSchema,
});
export type TransportOptions = z.infer<typeof transportOptionsSchema>;

export const connectTransportRequestSchema = z.object({
  transportId: idSchema,
  dtlsParameters: dtlsParametersSchema,
});

export const restartIceRequestSchema = z.object({ transportId: idSchema });
export const restartIceResponseSchema = z.object({ iceParameters: z.record(z.string(), z.unknown()) });

export const produceRequestSchema = z.object({
  transportId: idSchema,
  kind: mediaKindSchema,
  rtpParameters: rtpParametersSchema,
  source: mediaSourceSchema,
  paused: z.boolean().default(false),
});
export const produceResponseSchema = z.object({ producerId: idSchema });

export const consumeRequestSchema = z.object({
  transportId: idSchema,
  producerId: idSchema,
  rtpCapabilities: rtpCapabilitiesSchema,
});
export const consumeResponseSchema = z.object({
  consumerId: idSchema,
  producerId: idSchema,
  peerId: idSchema,
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  rtpParameters: rtpParametersSchema,
  /** Consumers are created paused; the client resumes once its track is wired up. */
  paused: z.literal(true),
  producerPaused: z.boolean(),
});
export type ConsumeResponse = z.infer<typeof consumeResponseSchema>;

export const producerRefSchema = z.object({ producerId: idSchema });
export const consumerRefSchema = z.object({ consumerId: idSchema });
export const setPreferredLayersRequestSchema = z.object({
  consumerId: idSchema,
  spatialLayer: z.number().int().min(0).max(3),
  temporalLayer: z.number().int().min(0).max(3).optional(),
});
export const setAnalysisConsentRequestSchema = z.object({ analysisConsent: z.boolean() });
export const emptyRequestSchema = z.object({}).strict().optional();

/** Client → server events, their request schemas and their ack response schemas. */
export const ClientEvents = {
  join: { request: joinRequestSchema, response: joinResponseSchema },
  createTransport: { request: createTransportRequestSchema, response: transportOptionsSchema },
  connectTransport: { request: connectTransportRequestSchema, response: z.object({}) },
  restartIce: { request: restartIceRequestSchema, response: restartIceResponseSchema },
  produce: { request: produceRequestSchema, response: produceResponseSchema },
  closeProducer: { request: producerRefSchema, response: z.object({}) },
  pauseProducer: { request: producerRefSchema, response: z.object({}) },
  resumeProducer: { request: producerRefSchema, response: z.object({}) },
  consume: { request: consumeRequestSchema, response: consumeResponseSchema },
  resumeConsumer: { request: consumerRefSchema, response: z.object({}) },
  setPreferredLayers: { request: setPreferredLayersRequestSchema, response: z.object({}) },
  setAnalysisConsent: { request: setAnalysisConsentRequestSchema, response: z.object({}) },
  leave: { request: emptyRequestSchema, response: z.object({}) },
} as const;
export type ClientEventName = keyof typeof ClientEvents;
export type ClientRequest<E extends ClientEventName> = z.input<(typeof ClientEvents)[E]['request']>;
export type ClientResponse<E extends ClientEventName> = z.infer<(typeof ClientEvents)[E]['response']>;

// ---- server → client -------------------------------------------------------------------------

export const ServerEvents = {
  peerJoined: z.object({ peerId: idSchema, displayName: z.string() }),
  peerLeft: z.object({ peerId: idSchema }),
  newProducer: producerInfoSchema,
  producerClosed: z.object({ peerId: idSchema, producerId: idSchema }),
  producerPaused: z.object({ peerId: idSchema, producerId: idSchema }),
  producerResumed: z.object({ peerId: idSchema, producerId: idSchema }),
  /** The SFU closed one of this client's consumers (its producer went away, or the transport did). */
  consumerClosed: z.object({ consumerId: idSchema, producerId: idSchema }),
  /**
   * The room's router went away (its mediasoup worker died). The client should rejoin: the SFU
   * has already put the room on a healthy worker.
   */
  roomReset: z.object({ roomId: roomIdSchema, reason: z.string() }),
} as const;
export type ServerEventName = keyof typeof ServerEvents;
export type ServerEventPayload<E extends ServerEventName> = z.infer<(typeof ServerEvents)[E]>;
