import { TokenBucket, perMinute } from '@moodroom/shared';

/** Per-connection limits on the participants' namespace (SFU_MAX_MESSAGES_PER_SECOND & co). */
export interface ConnectionLimits {
  messagesPerSecond: number;
  /** Messages a client may send at once: joining a full room is ~4 messages per peer already there. */
  messageBurst: number;
  /** Refused messages per minute a connection may pile up before it is dropped. */
  violationsPerMinute: number;
  joinAttemptsPerMinute: number;
}

export type Verdict = { admit: true } | { admit: false; message: string; disconnect: boolean };

/**
 * Decides, per message, whether one connection is within its limits. Every message (known or not,
 * with or without an ack) costs a message token; `join` also costs a join token, so nobody can
 * probe room ids or invites at the message rate. Each refusal costs a violation token: a client
 * that keeps sending after being told to slow down runs out and is disconnected.
 */
export class ConnectionLimiter {
  private readonly messages: TokenBucket;
  private readonly joins: TokenBucket;
  private readonly violations: TokenBucket;

  constructor(limits: ConnectionLimits, now: number) {
    this.messages = new TokenBucket({ perSecond: limits.messagesPerSecond, burst: limits.messageBurst }, now);
    this.joins = new TokenBucket(perMinute(limits.joinAttemptsPerMinute), now);
    this.violations = new TokenBucket(perMinute(limits.violationsPerMinute), now);
  }

  check(event: string, now: number): Verdict {
    if (!this.messages.take(now)) {
      return this.refuse(now, `too many messages (more than ${this.messages.limit.perSecond}/s): slow down and retry in ${this.messages.retryAfterMs(now)} ms`);
    }
    if (event === 'join' && !this.joins.take(now)) {
      return this.refuse(now, `too many join attempts (more than ${this.joins.limit.burst} a minute): retry in ${Math.ceil(this.joins.retryAfterMs(now) / 1000)} s`);
    }
    return { admit: true };
  }

  private refuse(now: number, message: string): Verdict {
    return { admit: false, message, disconnect: !this.violations.take(now) };
  }
}
