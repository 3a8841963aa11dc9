import { io, type Socket } from 'socket.io-client';
import { Device } from 'mediasoup-client';
import type { Consumer, DtlsParameters, IceCandidate, IceParameters, Producer, RtpCapabilities, RtpParameters, Transport } from 'mediasoup-client/types';
import { createSignallingClient, SignallingError, type MediaSource, type ProducerInfo, type ServerEventName, type ServerEventPayload, type SignallingClient } from '@moodroom/shared';
import { callReducer, initialCallState, type CallAction, type CallState } from './state.ts';
import { cameraSimulcastEncodings } from './encodings.ts';
import { sfuUnreachableMessage } from './media-errors.ts';
import { acquireCamera } from './local-media.ts';

/**
 * One participant's call: socket.io signalling + a mediasoup-client Device, one send and one recv
 * transport. Owns the media objects and turns SFU events into CallActions; React only renders
 * the resulting CallState (subscribe/getState, for useSyncExternalStore).
 *
 * Reconnects: socket.io reconnects by itself; the SFU forgot us when the socket dropped, so every
 * (re)connect and every `roomReset` runs a fresh join with fresh transports. A generation counter
 * makes the async work of an abandoned join drop its results instead of racing the new one.
 */

export interface CallSessionOptions {
  sfuUrl: string;
  roomId: string;
  displayName: string;
  /** Camera and/or mic to send; null joins receive-only. The caller owns (and stops) its tracks. */
  localStream: MediaStream | null;
  micEnabled?: boolean;
  cameraEnabled?: boolean;
  /** Whether this participant agreed to emotion analysis of their camera (default: no). Sent on every (re)join. */
  analysisConsent?: boolean;
  /** The invite of a facilitated session (the link's #invite=); without one this is a plain call. */
  invite?: string | null;
  /** How long the first connection may take before the SFU is reported unreachable. */
  connectTimeoutMs?: number;
}

export interface FlatStats {
  [key: string]: unknown;
  type: string;
  kind?: string;
}

export class CallSession {
  private state: CallState;
  private readonly listeners = new Set<() => void>();
  private socket: Socket | null = null;
  private signalling: SignallingClient | null = null;
  private generation = 0;
  private joinedOnce = false;
  private leaving = false;
  private device: Device | null = null;
  private sendTransport: Transport | null = null;
  private recvTransport: Promise<Transport> | null = null;
  /**
   * Producers announced (newProducer) after our join was acknowledged but before the device and
   * receive transport exist; consumed as soon as they do, so none is lost to that window.
   */
  private pendingProducers = new Map<string, ProducerInfo>();
  /**
   * Room events that arrive while our join request is in flight. The join answer is a snapshot;
   * an event can be handled before the answer's continuation runs (engine.io may deliver the ack
   * and the event in one task), and would then be wiped by the snapshot. They are replayed, in
   * order, right after the snapshot is applied.
   */
  private joinInFlight = false;
  private deferredEvents: (() => void)[] = [];
  private readonly producers = new Map<MediaSource, Producer>();
  private readonly consumers = new Map<string, Consumer>();
  private cameraQueue: Promise<void> = Promise.resolve();
  private analysisWanted: boolean;

  constructor(private readonly options: CallSessionOptions) {
    this.analysisWanted = options.analysisConsent ?? false;
    this.state = {
      ...initialCallState(options.roomId, options.displayName),
      micEnabled: options.micEnabled ?? true,
      cameraEnabled: options.cameraEnabled ?? true,
    };
  }

  getState = (): CallState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private dispatch(action: CallAction): void {
    const next = callReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  }

  start(): void {
    if (this.socket) return;
    this.dispatch({ type: 'connecting' });
    const socket = io(this.options.sfuUrl, {
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: this.options.connectTimeoutMs ?? 8000,
    });
    this.socket = socket;
    const signalling = createSignallingClient(socket, {
      onInvalidEvent: (event, error) => console.warn(`[moodroom] dropped invalid "${event}" from the SFU`, error.issues),
    });
    this.signalling = signalling;

    socket.on('connect', () => {
      if (this.leaving) return;
      void this.join();
    });
    socket.on('connect_error', (error) => {
      if (this.leaving || this.joinedOnce) return; // later failures: socket.io keeps retrying, we stay "reconnecting"
      this.dispatch({ type: 'error', error: { kind: 'sfu-unreachable', message: `${sfuUnreachableMessage(this.options.sfuUrl)} (${error.message})` } });
      socket.disconnect();
    });
    socket.on('disconnect', (reason) => {
      if (this.leaving) return;
      this.generation++;
      this.teardownMedia();
      this.dispatch({ type: 'reconnecting' });
      // A server-side disconnect is not retried by socket.io on its own.
      if (reason === 'io server disconnect') socket.connect();
    });

    this.onRoomEvent(signalling, 'peerJoined', (p) => this.dispatch({ type: 'peerJoined', peerId: p.peerId, displayName: p.displayName }));
    this.onRoomEvent(signalling, 'peerLeft', (p) => {
      for (const [id, c] of this.consumers) {
        if (c.appData.peerId === p.peerId) this.closeConsumer(id);
      }
      this.dispatch({ type: 'peerLeft', peerId: p.peerId });
    });
    this.onRoomEvent(signalling, 'newProducer', (p) => void this.consume(p, this.generation));
    this.onRoomEvent(signalling, 'producerClosed', (p) => {
      this.pendingProducers.delete(p.producerId);
      for (const [id, c] of this.consumers) {
        if (c.producerId === p.producerId) this.closeConsumer(id);
      }
      this.dispatch({ type: 'producerRemoved', producerId: p.producerId });
    });
    this.onRoomEvent(signalling, 'producerPaused', (p) => this.dispatch({ type: 'producerPaused', producerId: p.producerId, paused: true }));
    this.onRoomEvent(signalling, 'producerResumed', (p) => this.dispatch({ type: 'producerPaused', producerId: p.producerId, paused: false }));
    this.onRoomEvent(signalling, 'consumerClosed', (p) => this.closeConsumer(p.consumerId));
    signalling.on('roomReset', () => {
      if (this.leaving) return;
      this.generation++;
      this.teardownMedia();
      this.dispatch({ type: 'reconnecting' });
      void this.join();
    });
  }

  private onRoomEvent<E extends ServerEventName>(signalling: SignallingClient, event: E, handler: (payload: ServerEventPayload<E>) => void): void {
    signalling.on(event, (payload) => {
      if (this.joinInFlight) this.deferredEvents.push(() => handler(payload));
      else handler(payload);
    });
  }

  private async join(): Promise<void> {
    const signalling = this.signalling;
    if (!signalling) return;
    const gen = ++this.generation;
    this.teardownMedia();
    this.deferredEvents = [];
    this.joinInFlight = true;
    try {
      const device = await Device.factory();
      if (gen !== this.generation) return;
      const joined = await signalling.request('join', {
        roomId: this.options.roomId,
        displayName: this.options.displayName,
        // Opt-in only: without an explicit "Allow" in the lobby nobody is analysed. A rejoin keeps
        // what the participant chose last (they may have withdrawn during the call).
        analysisConsent: this.analysisWanted,
        ...(this.options.invite ? { invite: this.options.invite } : {}),
      });
      if (gen !== this.generation) return;
      // Dispatch before any await: server events that follow the ack must land on this peer list.
      this.joinedOnce = true;
      this.dispatch({ type: 'joined', selfPeerId: joined.peerId, peers: joined.peers, session: joined.session, analysisConsent: joined.analysisConsent });
      this.flushDeferredEvents();

      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as RtpCapabilities });
      if (gen !== this.generation) return;
      this.device = device;
      this.recvTransport = this.createTransport('recv', gen);
      this.recvTransport.catch(() => undefined); // reported by whoever awaits it

      const announced = [...joined.peers.flatMap((peer) => peer.producers), ...this.pendingProducers.values()];
      this.pendingProducers.clear();
      const seen = new Set<string>();
      for (const producer of announced) {
        if (seen.has(producer.producerId)) continue;
        seen.add(producer.producerId);
        void this.consume(producer, gen);
      }
      await this.produceLocal(gen);
    } catch (error) {
      if (gen === this.generation) this.flushDeferredEvents(false);
      if (gen !== this.generation || this.leaving) return;
      console.error('[moodroom] join failed', error);
      const message =
        error instanceof SignallingError && error.code === 'LIMIT'
          ? 'This room is full. Try another room, or ask the facilitator to raise the limit.'
          : error instanceof SignallingError && error.code === 'TIMEOUT'
            ? 'The media server did not answer. Check your connection and try again.'
            : `Could not join the room: ${(error as Error).message}. Try again; if it keeps failing, tell the operator.`;
      this.dispatch({ type: 'error', error: { kind: 'join-failed', message } });
      this.socket?.disconnect();
    }
  }

  private flushDeferredEvents(replay = true): void {
    this.joinInFlight = false;
    const events = this.deferredEvents;
    this.deferredEvents = [];
    if (replay) for (const run of events) run();
  }

  private async createTransport(direction: 'send' | 'recv', gen: number): Promise<Transport> {
    const signalling = this.signalling!;
    const device = this.device!;
    const options = await signalling.request('createTransport', { direction });
    if (gen !== this.generation) throw new Error('stale join');
    const transportOptions = {
      id: options.id,
      iceParameters: options.iceParameters as unknown as IceParameters,
      iceCandidates: options.iceCandidates as unknown as IceCandidate[],
      dtlsParameters: options.dtlsParameters as unknown as DtlsParameters,
    };
    const transport = direction === 'send' ? device.createSendTransport(transportOptions) : device.createRecvTransport(transportOptions);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signalling
        .request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        signalling
          .request('produce', { transportId: transport.id, kind, rtpParameters: rtpParameters as never, source: appData.source as MediaSource })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    transport.on('connectionstatechange', (connectionState) => {
      if (connectionState === 'failed' && gen === this.generation) {
        // ICE/DTLS died while signalling still works: a clean rejoin rebuilds both transports.
        console.warn(`[moodroom] ${direction} transport failed; rejoining`);
        this.generation++;
        this.teardownMedia();
        this.dispatch({ type: 'reconnecting' });
        void this.signalling
          ?.request('leave')
          .catch(() => undefined)
          .then(() => this.join());
      }
    });
    return transport;
  }

  private async produceLocal(gen: number): Promise<void> {
    const stream = this.options.localStream;
    if (!stream || !this.device) return;
    const audioTrack = stream.getAudioTracks()[0];
    const videoTrack = stream.getVideoTracks()[0];
    if (!audioTrack && !videoTrack) return;
    // Also when the camera is off: turning it on later needs the transport.
    const transport = await this.createTransport('send', gen);
    if (gen !== this.generation) return;
    this.sendTransport = transport;

    if (audioTrack && this.device.canProduce('audio')) {
      const producer = await transport.produce({ track: audioTrack, stopTracks: false, appData: { source: 'mic' }, codecOptions: { opusFec: true, opusDtx: true } });
      if (gen !== this.generation) return;
      this.producers.set('mic', producer);
      if (!this.state.micEnabled) await this.setProducerPaused('mic', true);
    }
    if (!this.state.cameraEnabled) {
      // Off in the lobby (or stopped before a rejoin): release the camera; "Turn camera on" produces it.
      stopVideoTracks(stream);
      return;
    }
    if (videoTrack?.readyState === 'live') {
      try {
        await this.produceCamera(transport, videoTrack, gen);
      } catch (error) {
        // The call goes on without our video (we still hear and see the others).
        if (gen !== this.generation) return;
        console.warn('[moodroom] could not send the camera', error);
        this.dispatch({ type: 'notice', message: 'Your camera could not be sent to the others. Turn it off and on again to retry.' });
        return;
      }
      // Turned off while the producer was being created: the toggle found no producer to pause.
      if (gen === this.generation && !this.state.cameraEnabled) await this.cameraOff();
    }
  }

  private async produceCamera(transport: Transport, track: MediaStreamTrack, gen: number): Promise<void> {
    if (!this.device?.canProduce('video')) return;
    const vp8 = this.device.sendRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
    const producer = await transport.produce({
      track,
      stopTracks: false,
      encodings: cameraSimulcastEncodings(track.getSettings()),
      codecOptions: { videoGoogleStartBitrate: 1000 },
      ...(vp8 ? { codec: vp8 } : {}),
      appData: { source: 'camera' },
    });
    if (gen !== this.generation) {
      producer.close();
      return;
    }
    this.producers.set('camera', producer);
  }

  private async consume(info: ProducerInfo, gen: number): Promise<void> {
    if (info.peerId === this.state.selfPeerId) return;
    this.dispatch({ type: 'producerAdded', peerId: info.peerId, producerId: info.producerId, kind: info.kind, source: info.source, paused: info.paused });
    const signalling = this.signalling;
    const recvPromise = this.recvTransport;
    if (!signalling) return;
    if (!recvPromise || !this.device) {
      if (gen === this.generation) this.pendingProducers.set(info.producerId, info);
      return;
    }
    try {
      const recv = await recvPromise;
      if (gen !== this.generation) return;
      const res = await signalling.request('consume', {
        transportId: recv.id,
        producerId: info.producerId,
        rtpCapabilities: this.device.recvRtpCapabilities as never,
      });
      if (gen !== this.generation) return;
      const consumer = await recv.consume({
        id: res.consumerId,
        producerId: res.producerId,
        kind: res.kind,
        rtpParameters: res.rtpParameters as unknown as RtpParameters,
        appData: { peerId: res.peerId, source: res.source },
      });
      if (gen !== this.generation) {
        consumer.close();
        return;
      }
      this.consumers.set(consumer.id, consumer);
      this.dispatch({ type: 'consumerAttached', producerId: res.producerId, consumerId: consumer.id, track: consumer.track });
      await signalling.request('resumeConsumer', { consumerId: consumer.id });
      this.dispatch({ type: 'producerPaused', producerId: res.producerId, paused: res.producerPaused });
    } catch (error) {
      // The producer may close while we subscribe: that is the normal end, not an error.
      if (error instanceof SignallingError && error.code === 'NOT_FOUND') return;
      if (gen !== this.generation) return;
      console.warn(`[moodroom] could not receive ${info.kind} of peer ${info.peerId}`, error);
    }
  }

  private closeConsumer(consumerId: string): void {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) return;
    this.consumers.delete(consumerId);
    consumer.close();
    this.dispatch({ type: 'consumerDetached', consumerId });
  }

  private async setProducerPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || !this.signalling) return;
    if (paused) producer.pause();
    else producer.resume();
    try {
      await this.signalling.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
    } catch (error) {
      console.warn(`[moodroom] could not ${paused ? 'pause' : 'resume'} ${source}`, error);
    }
  }

  async setMicEnabled(enabled: boolean): Promise<void> {
    for (const t of this.options.localStream?.getAudioTracks() ?? []) t.enabled = enabled;
    this.dispatch({ type: 'localMedia', micEnabled: enabled });
    await this.setProducerPaused('mic', !enabled);
  }

  /**
   * Off pauses the camera producer and stops the capture, so the camera (and its light) is really
   * off; on captures a fresh track and swaps it into the same producer (receivers and the analyzer
   * keep their consumers). Toggles run one after another: a quick off/on can't interleave.
   */
  setCameraEnabled(enabled: boolean): Promise<void> {
    const run = () => (enabled ? this.cameraOn() : this.cameraOff());
    this.cameraQueue = this.cameraQueue.then(run, run);
    return this.cameraQueue.catch((error: unknown) => console.warn(`[moodroom] camera ${enabled ? 'on' : 'off'} failed`, error));
  }

  private async cameraOff(): Promise<void> {
    this.dispatch({ type: 'localMedia', cameraEnabled: false });
    const producer = this.producers.get('camera');
    if (producer && !producer.closed) {
      await this.setProducerPaused('camera', true);
      // Detach the track before stopping it, so the producer never holds an ended track.
      await producer.replaceTrack({ track: null }).catch(() => undefined);
    }
    // The ended track stays in the stream until replaced: the UI keys "has a camera" off it.
    if (this.options.localStream) stopVideoTracks(this.options.localStream);
  }

  private async cameraOn(): Promise<void> {
    const stream = this.options.localStream;
    if (!stream || this.leaving) return;
    let track = stream.getVideoTracks().find((t) => t.readyState === 'live');
    if (!track) {
      const result = await acquireCamera();
      if (!result.ok) {
        this.dispatch({ type: 'notice', message: result.message });
        return;
      }
      if (this.leaving) {
        result.track.stop();
        return;
      }
      for (const old of stream.getVideoTracks()) stream.removeTrack(old);
      stream.addTrack(result.track);
      track = result.track;
    }
    track.enabled = true;
    // After the new track is in the stream, so the self-view mounts with it.
    this.dispatch({ type: 'localMedia', cameraEnabled: true });
    const producer = this.producers.get('camera');
    if (producer && !producer.closed) {
      await producer.replaceTrack({ track });
      await this.setProducerPaused('camera', false);
    } else if (this.sendTransport && !this.sendTransport.closed && this.state.status === 'joined') {
      // Off since the join: there is no camera producer yet.
      await this.produceCamera(this.sendTransport, track, this.generation);
    }
    // Otherwise (reconnecting) the rejoin produces the live track.
  }

  /**
   * Gives or withdraws consent during the call. Withdrawing takes effect at the SFU at once (the
   * analyzer's consumer of our camera is closed before the ack); the UI follows the SFU's answer.
   */
  async setAnalysisConsent(analysisConsent: boolean): Promise<void> {
    this.analysisWanted = analysisConsent;
    const signalling = this.signalling;
    if (!signalling || this.state.status !== 'joined') return;
    try {
      await signalling.request('setAnalysisConsent', { analysisConsent });
      this.dispatch({ type: 'analysisConsent', analysisConsent });
    } catch (error) {
      this.analysisWanted = this.state.analysisConsent;
      this.dispatch({ type: 'notice', message: `Could not change emotion analysis: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  dismissNotice(): void {
    this.dispatch({ type: 'notice', message: null });
  }

  async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
    this.generation++;
    const socket = this.socket;
    if (socket?.connected && this.signalling) {
      // Tell the SFU first so the others see us go at once, but never hang on it.
      await Promise.race([this.signalling.request('leave').catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.teardownMedia();
    socket?.disconnect();
    this.socket = null;
    this.dispatch({ type: 'left' });
  }

  private teardownMedia(): void {
    this.pendingProducers.clear();
    for (const id of [...this.consumers.keys()]) {
      this.consumers.get(id)?.close();
      this.consumers.delete(id);
    }
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.sendTransport?.close();
    this.sendTransport = null;
    const recv = this.recvTransport;
    this.recvTransport = null;
    recv?.then((t) => t.close()).catch(() => undefined);
    this.device = null;
  }

  /** Flattened WebRTC stats of both transports (for the debug object and the e2e tests). */
  async stats(): Promise<FlatStats[]> {
    const reports: RTCStatsReport[] = [];
    const recv = await this.recvTransport?.catch(() => null);
    if (recv && !recv.closed) reports.push(await recv.getStats());
    if (this.sendTransport && !this.sendTransport.closed) reports.push(await this.sendTransport.getStats());
    const out: FlatStats[] = [];
    for (const report of reports) report.forEach((s: FlatStats) => out.push({ ...s }));
    return out;
  }
}

function stopVideoTracks(stream: MediaStream): void {
  for (const t of stream.getVideoTracks()) t.stop();
}
