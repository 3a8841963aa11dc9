import type { types } from 'mediasoup';
import { AckableError, type PeerInfo, type RosterParticipant } from '@moodroom/shared';
import type { AnalysisCamera, AnalysisFeed } from './analysis-feed.ts';
import type { SfuConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { routerMediaCodecs } from './media-codecs.ts';
import type { Peer } from './peer.ts';
import { Room } from './room.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface RoomRegistryOptions {
  rtc: SfuConfig['rtc'];
  limits: SfuConfig['limits'];
  emptyRoomGraceMs: number;
  log: Logger;
  feed: AnalysisFeed;
}

/** How a room's peers are told their room moved to another worker. */
export const WORKER_DIED_REASON = 'media worker restarted';

/**
 * Rooms by id, created on demand on the least-loaded worker and closed after staying empty for a
 * grace period. Also moves rooms whose worker died onto a healthy one.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private readonly closeTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly options: RoomRegistryOptions,
  ) {}

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  get size(): number {
    return this.rooms.size;
  }

  get peerCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.peers.size;
    return n;
  }

  /** Every facilitated-session participant in every room (the analyzer link's roster snapshot). */
  roster(): RosterParticipant[] {
    return [...this.rooms.values()].flatMap((room) => room.roster);
  }

  /** Every analysable camera across rooms: the analyzer's starting state (see analysis-feed.ts). */
  analysableCameras(): AnalysisCamera[] {
    return [...this.rooms.values()].flatMap((r) => r.analysableCameras);
  }

  async join(roomId: string, peer: Peer): Promise<{ room: Room; peers: PeerInfo[] }> {
    const room = await this.getOrCreate(roomId);
    this.cancelClose(roomId);
    const peers = room.join(peer);
    return { room, peers };
  }

  leave(room: Room, peer: Peer): void {
    room.leave(peer);
    if (room.peers.size === 0) this.scheduleClose(room);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.closeTimers.values()) clearTimeout(timer);
    this.closeTimers.clear();
    for (const room of this.rooms.values()) room.close();
    this.rooms.clear();
  }

  private async getOrCreate(roomId: string): Promise<Room> {
    if (this.closed) throw new AckableError('UNAVAILABLE', 'the SFU is shutting down');
    const existing = this.rooms.get(roomId);
    if (existing) return existing;
    // Concurrent first joins share one router instead of racing to create two.
    let pending = this.creating.get(roomId);
    if (!pending) {
      pending = this.createRoom(roomId).finally(() => this.creating.delete(roomId));
      this.creating.set(roomId, pending);
    }
    return pending;
  }

  private async createRoom(roomId: string): Promise<Room> {
    const router = await this.createRouter(roomId);
    if (this.closed) {
      router.close();
      throw new AckableError('UNAVAILABLE', 'the SFU is shutting down');
    }
    const room = new Room(roomId, router, this.options);
    this.rooms.set(roomId, room);
    this.watchRouter(room, router);
    this.options.log.info({ roomId, routerId: router.id, workerPid: this.workerPidOf(router) }, 'room created');
    return room;
  }

  private async createRouter(roomId: string): Promise<types.Router> {
    const worker = await this.pool.acquire();
    return worker.createRouter({ mediaCodecs: routerMediaCodecs, appData: { roomId, workerPid: worker.pid } });
  }

  private watchRouter(room: Room, router: types.Router): void {
    router.once('workerclose', () => {
      if (this.closed || room.closed || room.router !== router) return;
      void this.rehome(room);
    });
  }

  private async rehome(room: Room): Promise<void> {
    try {
      const router = await this.createRouter(room.id);
      if (this.closed || room.closed) {
        router.close();
        return;
      }
      room.reset(router, WORKER_DIED_REASON);
      this.watchRouter(room, router);
      this.options.log.warn({ roomId: room.id, routerId: router.id, workerPid: this.workerPidOf(router) }, 'room moved to a healthy worker');
      if (room.peers.size === 0) this.scheduleClose(room);
    } catch (error) {
      if (this.closed) return;
      // No router to be had: drop the room; clients rejoining create it afresh.
      this.options.log.error({ roomId: room.id, err: error }, 'could not move room to a new worker; closing it');
      const peers = [...room.peers.values()];
      this.rooms.delete(room.id);
      room.close();
      for (const p of peers) p.notify('roomReset', { roomId: room.id, reason: WORKER_DIED_REASON });
    }
  }

  private scheduleClose(room: Room): void {
    this.cancelClose(room.id);
    const timer = setTimeout(() => {
      this.closeTimers.delete(room.id);
      if (room.peers.size > 0 || this.rooms.get(room.id) !== room) return;
      this.rooms.delete(room.id);
      room.close();
    }, this.options.emptyRoomGraceMs);
    timer.unref();
    this.closeTimers.set(room.id, timer);
  }

  private cancelClose(roomId: string): void {
    const timer = this.closeTimers.get(roomId);
    if (timer) clearTimeout(timer);
    this.closeTimers.delete(roomId);
  }

  private workerPidOf(router: types.Router): unknown {
    return router.appData['workerPid'];
  }
}
