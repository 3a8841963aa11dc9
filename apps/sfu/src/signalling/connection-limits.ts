import { KeyedTokenBuckets, TokenBucket, perMinute } from '@moodroom/shared';

/** Limits on the participants' namespace: per connection (SFU_MAX_MESSAGES_PER_SECOND & co) and per client address. */
export interface ConnectionLimits {
  messagesPerSecond: number;
  /** Messages a client may send at once: joining a full room is ~4 messages per peer already there. */
  messageBurst: number;
  /** Refused messages per minute a connection may pile up before it is dropped. */
  violationsPerMinute: number;
  joinAttemptsPerMinute: number;
  /** Shared by all connections from one address (addressKey, @moodroom/shared); absent: no per-address limits. */
  perAddress?: AddressLimits;
}

/** Per client address (SFU_MAX_CONNECTIONS_PER_IP, SFU_MAX_JOIN_ATTEMPTS_PER_IP_PER_MINUTE); 0 = no limit. */
export interface AddressLimits {
  connections: number;
  joinAttemptsPerMinute: number;
}

export type Verdict = { admit: true } | { admit: false; message: string; disconnect: boolean };

export type ConnectionSlot = { admit: true; release: () => void } | { admit: false; message: string };

/**
 * What all connections from one address share: how many may be open at once, and one join budget,
 * so that reconnecting (a fresh ConnectionLimiter) does not buy fresh join attempts. Memory is
 * bounded: open counts exist only for addresses with open connections, join buckets are
 * KeyedTokenBuckets (full ones forgotten, a flood of new keys shares one bucket).
 */
export class AddressLimiter {
  private readonly open = new Map<string, number>();
  private readonly joins: KeyedTokenBuckets | undefined;

  constructor(readonly limits: AddressLimits) {
    if (limits.joinAttemptsPerMinute > 0) this.joins = new KeyedTokenBuckets(perMinute(limits.joinAttemptsPerMinute));
  }

  /** Reserves one of the address's connections; `release` (idempotent) gives it back. */
  connect(key: string): ConnectionSlot {
    const open = this.open.get(key) ?? 0;
    const max = this.limits.connections;
    if (max > 0 && open >= max) {
      return {
        admit: false,
        message:
          `too many connections from your network address (${max} open, the most allowed at once): close other Moodroom tabs or windows, ` +
          `or wait for them to disconnect, then retry; if many people share this address (an office behind one NAT), ask the operator to raise SFU_MAX_CONNECTIONS_PER_IP`,
      };
    }
    this.open.set(key, open + 1);
    let released = false;
    return {
      admit: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.open.get(key) ?? 1) - 1;
        if (left > 0) this.open.set(key, left);
        else this.open.delete(key);
      },
    };
  }

  /** A join attempt from `key`: undefined when admitted, else what to tell the client. */
  join(key: string, now: number): string | undefined {
    if (!this.joins || this.joins.take(key, now)) return undefined;
    return `too many join attempts from your network address (more than ${this.limits.joinAttemptsPerMinute} a minute, over all its connections; reconnecting does not reset this): retry in ${Math.ceil(this.joins.retryAfterMs(key, now) / 1000)} s`;
  }

  /** Open connections of `key` (tests, metrics). */
  connections(key: string): number {
    return this.open.get(key) ?? 0;
  }

  /** Addresses with open connections (tests, metrics: proves counts are given back). */
  get addresses(): number {
    return this.open.size;
  }
}

/**
 * Decides, per message, whether one connection is within its limits. Every message (known or not,
 * with or without an ack) costs a message token; `join` also costs a join token of the connection
 * and, given `address`, one of the address's, so nobody can probe room ids or invites at the
 * message rate, nor by reconnecting. Each refusal costs a violation token: a client that keeps
 * sending after being told to slow down runs out and is disconnected.
 */
export class ConnectionLimiter {
  private readonly messages: TokenBucket;
  private readonly joins: TokenBucket;
  private readonly violations: TokenBucket;

  constructor(
    limits: ConnectionLimits,
    now: number,
    private readonly address?: { limiter: AddressLimiter; key: string },
  ) {
    this.messages = new TokenBucket({ perSecond: limits.messagesPerSecond, burst: limits.messageBurst }, now);
    this.joins = new TokenBucket(perMinute(limits.joinAttemptsPerMinute), now);
    this.violations = new TokenBucket(perMinute(limits.violationsPerMinute), now);
  }

  check(event: string, now: number): Verdict {
    if (!this.messages.take(now)) {
      return this.refuse(now, `too many messages (more than ${this.messages.limit.perSecond}/s): slow down and retry in ${this.messages.retryAfterMs(now)} ms`);
    }
    if (event === 'join') {
      if (!this.joins.take(now)) {
        return this.refuse(now, `too many join attempts (more than ${this.joins.limit.burst} a minute): retry in ${Math.ceil(this.joins.retryAfterMs(now) / 1000)} s`);
      }
      const refused = this.address?.limiter.join(this.address.key, now);
      if (refused) return this.refuse(now, refused);
    }
    return { admit: true };
  }

  private refuse(now: number, message: string): Verdict {
    return { admit: false, message, disconnect: !this.violations.take(now) };
  }
}
