import { z } from 'zod';
import {
  dtlsParametersSchema,
  idSchema,
  rtpCapabilitiesSchema,
  rtpParametersSchema,
  roomIdSchema,
  setPreferredLayersRequestSchema,
  transportOptionsSchema,
} from './signalling.ts';

/**
 * The analyzer link: how the analyzer (a trusted server process, not a participant) learns which
 * cameras it may analyse and consumes them from the SFU. A separate socket.io namespace on the SFU,
 * `/analyzer`, open only to a client presenting the shared service token in
 * `socket.handshake.auth.token`; participants never see it, and it never appears as a peer.
 *
 * Same conventions as signalling.ts: analyzer → SFU requests are `emit(event, payload, ack)` and
 * the ack receives an `Ack` (ack.ts); SFU → analyzer events are plain emits. Both sides parse every
 * payload with these schemas.
 *
 * Privacy: camera events carry ids only (room, peer, producer). The roster events name the
 * participants of facilitated sessions only (peers who joined with a valid invite, sessions.ts), so
 * their facilitator's dashboard and report can say who is who; plain calls never reach the analyzer.
 */

export const ANALYZER_NAMESPACE = '/analyzer';
/** Environment variable holding the shared secret, read by both the SFU and the analyzer. */
export const ANALYZER_TOKEN_ENV = 'ANALYZER_SERVICE_TOKEN';
/** Shorter tokens are refused at start: the token is the only thing between a camera and the analyzer. */
export const MIN_ANALYZER_TOKEN_LENGTH = 16;

/** `handshake.auth` the analyzer sends when connecting. */
export const analyzerAuthSchema = z.object({ token: z.string().min(1).max(1024) });

/** A camera the analyzer may consume: a consenting participant's live (unpaused) camera producer. */
export const analysableCameraSchema = z.object({
  roomId: roomIdSchema,
  peerId: idSchema,
  producerId: idSchema,
});
export type AnalysableCamera = z.infer<typeof analysableCameraSchema>;

/** Why a camera stopped being analysable. */
export const CAMERA_UNAVAILABLE_REASONS = [
  'left', // the participant left or disconnected
  'consent-withdrawn', // setAnalysisConsent(false)
  'camera-off', // the participant paused their camera
  'producer-closed', // the participant stopped the camera track
  'room-reset', // the room's media worker died; cameras come back when participants rejoin
  'room-closed', // the SFU is shutting down
] as const;
export const cameraUnavailableReasonSchema = z.enum(CAMERA_UNAVAILABLE_REASONS);
export type CameraUnavailableReason = z.infer<typeof cameraUnavailableReasonSchema>;

/** A participant of a facilitated session (joined with a valid invite), as the analyzer sees them. */
export const rosterParticipantSchema = z.object({
  roomId: roomIdSchema,
  peerId: idSchema,
  displayName: z.string().max(64),
  /** Effective consent: asked for by the participant AND allowed by the session. */
  analysisConsent: z.boolean(),
});
export type RosterParticipant = z.infer<typeof rosterParticipantSchema>;

// ---- analyzer → SFU --------------------------------------------------------------------------

export const analyzerRoomRefSchema = z.object({ roomId: roomIdSchema });
export const analyzerTransportRefSchema = z.object({ transportId: idSchema });
export const analyzerConsumerRefSchema = z.object({ consumerId: idSchema });

export const preferredLayersSchema = z.object({
  spatialLayer: z.number().int().min(0).max(3),
  temporalLayer: z.number().int().min(0).max(3).optional(),
});
export type PreferredLayers = z.infer<typeof preferredLayersSchema>;

export const analyzerConsumeRequestSchema = z.object({
  transportId: idSchema,
  producerId: idSchema,
  rtpCapabilities: rtpCapabilitiesSchema,
  /** Layers to start with; default: the SFU's guess at the lowest layer ≥ 320 px wide (see pickAnalysisSpatialLayer). */
  preferredLayers: preferredLayersSchema.optional(),
});

export const analyzerConsumeResponseSchema = z.object({
  consumerId: idSchema,
  producerId: idSchema,
  roomId: roomIdSchema,
  peerId: idSchema,
  kind: z.literal('video'),
  rtpParameters: rtpParametersSchema,
  /** Created paused: resume once the receiver is ready (the SFU then requests a key frame). */
  paused: z.literal(true),
  producerPaused: z.boolean(),
  /** mediasoup consumer type: 'simulcast' and 'svc' have layers to choose from. */
  type: z.enum(['simple', 'simulcast', 'svc', 'pipe']),
  /**
   * The producer's spatial layers, lowest first, as scale-down factors from its full resolution
   * (e.g. [4, 2, 1]); a single entry for a single-layer camera.
   */
  scaleResolutionDownBy: z.array(z.number().positive()).min(1).max(4),
  /** The layers the SFU prefers for this consumer now (absent for single-layer cameras). */
  preferredLayers: preferredLayersSchema.optional(),
});
export type AnalyzerConsumeResponse = z.infer<typeof analyzerConsumeResponseSchema>;

export const closedResponseSchema = z.object({
  /** false when the object was already closed (by you, or by the SFU: consent withdrawn, room reset). */
  closed: z.boolean(),
});

/** Analyzer → SFU requests, their payload schemas and their ack response schemas. */
export const AnalyzerRequests = {
  getRouterRtpCapabilities: { request: analyzerRoomRefSchema, response: z.object({ rtpCapabilities: rtpCapabilitiesSchema }) },
  createConsumerTransport: { request: analyzerRoomRefSchema, response: transportOptionsSchema },
  connectConsumerTransport: {
    request: z.object({ transportId: idSchema, dtlsParameters: dtlsParametersSchema }),
    response: z.object({}),
  },
  consume: { request: analyzerConsumeRequestSchema, response: analyzerConsumeResponseSchema },
  /** Resumes the consumer and asks the sender for a key frame. */
  resumeConsumer: { request: analyzerConsumerRefSchema, response: z.object({}) },
  requestKeyFrame: { request: analyzerConsumerRefSchema, response: z.object({}) },
  setPreferredLayers: { request: setPreferredLayersRequestSchema, response: z.object({}) },
  closeConsumer: { request: analyzerConsumerRefSchema, response: closedResponseSchema },
  closeTransport: { request: analyzerTransportRefSchema, response: closedResponseSchema },
} as const;
export type AnalyzerRequestName = keyof typeof AnalyzerRequests;
export type AnalyzerRequest<E extends AnalyzerRequestName> = z.input<(typeof AnalyzerRequests)[E]['request']>;
export type AnalyzerResponse<E extends AnalyzerRequestName> = z.infer<(typeof AnalyzerRequests)[E]['response']>;

// ---- SFU → analyzer --------------------------------------------------------------------------

export const AnalyzerEvents = {
  /** Sent once right after every (re)connection, before cameraSnapshot: every session participant now. */
  rosterSnapshot: z.object({ participants: z.array(rosterParticipantSchema) }),
  participantJoined: rosterParticipantSchema,
  participantLeft: z.object({ roomId: roomIdSchema, peerId: idSchema }),
  consentChanged: z.object({ roomId: roomIdSchema, peerId: idSchema, analysisConsent: z.boolean() }),
  /** Sent once right after every (re)connection: the complete current set; replaces what the analyzer knew. */
  cameraSnapshot: z.object({ cameras: z.array(analysableCameraSchema) }),
  cameraAvailable: analysableCameraSchema,
  /** The SFU has already closed the analyzer's consumers of this camera when this arrives. */
  cameraUnavailable: analysableCameraSchema.extend({ reason: cameraUnavailableReasonSchema }),
  /** One of the analyzer's consumers was closed by the SFU (always preceded by cameraUnavailable). */
  consumerClosed: z.object({ consumerId: idSchema, producerId: idSchema, roomId: roomIdSchema, reason: cameraUnavailableReasonSchema }),
  /** One of the analyzer's transports was closed by the SFU (its room's router went away). */
  transportClosed: z.object({ transportId: idSchema, roomId: roomIdSchema, reason: z.enum(['room-reset', 'room-closed']) }),
} as const;
export type AnalyzerEventName = keyof typeof AnalyzerEvents;
export type AnalyzerEventPayload<E extends AnalyzerEventName> = z.infer<(typeof AnalyzerEvents)[E]>;

// ---- layer choice ------------------------------------------------------------------------------

/** Narrowest picture worth analysing: face detection and 112-px crops need about this much. */
export const ANALYSIS_MIN_WIDTH = 320;

/**
 * Pure: the lowest spatial layer at least `minWidth` wide (the highest layer when none is), given
 * each layer's scale-down factor (lowest layer first) and the full-resolution width. Lower layers
 * cost less to forward and decode; faces need no more than ~320 px.
 */
export function pickAnalysisSpatialLayer(scaleResolutionDownBy: readonly number[], fullWidth: number, minWidth = ANALYSIS_MIN_WIDTH): number {
  if (scaleResolutionDownBy.length === 0) return 0;
  const index = scaleResolutionDownBy.findIndex((scale) => fullWidth / scale >= minWidth);
  return index === -1 ? scaleResolutionDownBy.length - 1 : index;
}

/**
 * Pure: the full-resolution width implied by a frame decoded at `spatialLayer` (what the analyzer
 * observes), for pickAnalysisSpatialLayer.
 */
export function fullWidthFromLayer(scaleResolutionDownBy: readonly number[], spatialLayer: number, observedWidth: number): number {
  const scale = scaleResolutionDownBy[Math.min(spatialLayer, scaleResolutionDownBy.length - 1)] ?? 1;
  return observedWidth * scale;
}
