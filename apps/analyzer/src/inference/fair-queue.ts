/**
 * The inference queue: at most ONE waiting window per participant (a newer window replaces the
 * stale one, so memory never grows with load) and at most one window per participant in flight
 * (results stay in order), served round-robin so a participant with a fast stream never starves
 * one with a slow stream. Pure bookkeeping: no timers, no I/O.
 */
export interface QueuedJob<J> {
  participantId: string;
  job: J;
  enqueuedAt: number;
}

export class FairWindowQueue<J> {
  private readonly waiting = new Map<string, QueuedJob<J>>();
  private readonly inFlight = new Set<string>();
  /** Participants in the order they are served. */
  private ring: string[] = [];
  /** Who was served last: the next take starts right after them. */
  private lastServed: string | null = null;

  /** Queues a job; returns the stale job it replaced, if any. */
  enqueue(participantId: string, job: J, now: number): J | undefined {
    if (!this.ring.includes(participantId)) this.ring.push(participantId);
    const stale = this.waiting.get(participantId);
    this.waiting.set(participantId, { participantId, job, enqueuedAt: now });
    return stale?.job;
  }

  /** Withdraws a job that is still waiting (its consumer went away); false if it already left. */
  withdraw(participantId: string, job: J): boolean {
    const queued = this.waiting.get(participantId);
    if (!queued || queued.job !== job) return false;
    this.waiting.delete(participantId);
    return true;
  }

  /**
   * Takes up to `max` jobs, one per participant, round-robin from where the last take stopped,
   * skipping participants that already have a job in flight. Taken participants are in flight
   * until `done`.
   */
  take(max: number): QueuedJob<J>[] {
    const taken: QueuedJob<J>[] = [];
    const n = this.ring.length;
    const start = this.lastServed === null ? 0 : this.ring.indexOf(this.lastServed) + 1;
    for (let k = 0; k < n && taken.length < max; k++) {
      const i = (start + k) % n;
      const id = this.ring[i]!;
      const queued = this.waiting.get(id);
      if (!queued || this.inFlight.has(id)) continue;
      this.waiting.delete(id);
      this.inFlight.add(id);
      taken.push(queued);
      this.lastServed = id;
    }
    return taken;
  }

  done(participantId: string): void {
    this.inFlight.delete(participantId);
  }

  /** Forgets a participant (they left); returns their waiting job so it can be cancelled. */
  remove(participantId: string): J | undefined {
    const queued = this.waiting.get(participantId);
    this.waiting.delete(participantId);
    this.inFlight.delete(participantId);
    const i = this.ring.indexOf(participantId);
    if (i >= 0) {
      // Keep the turn order: whoever followed the removed participant is next.
      if (this.lastServed === participantId) this.lastServed = i > 0 ? this.ring[i - 1]! : (this.ring.at(-1) ?? null);
      this.ring.splice(i, 1);
      if (this.lastServed === participantId) this.lastServed = null;
    }
    return queued?.job;
  }

  /** Jobs waiting, whether or not they can be taken now. */
  get depth(): number {
    return this.waiting.size;
  }

  /** Jobs that `take` could hand out now. */
  get ready(): number {
    let n = 0;
    for (const id of this.waiting.keys()) if (!this.inFlight.has(id)) n++;
    return n;
  }

  /** Age of the oldest waiting job, ms (0 when none): how far behind inference is. */
  oldestWaitMs(now: number): number {
    let oldest = 0;
    for (const q of this.waiting.values()) oldest = Math.max(oldest, now - q.enqueuedAt);
    return oldest;
  }
}
