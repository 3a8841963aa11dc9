/**
 * Token buckets: the one rate-limit rule of every Moodroom service (SFU signalling, the analyzer's
 * session API and dashboard namespace). Pure: the caller passes the clock, so tests need no timers.
 *
 * A bucket holds up to `burst` tokens and refills at `perSecond`; each admitted event takes one.
 * A client may therefore send `burst` events at once, then `perSecond` on average.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** "n per minute" with a burst of n: what limits on rare, costly actions (joins, sessions) mean. */
export const perMinute = (n: number): RateLimit => ({ perSecond: n / 60, burst: n });

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new RangeError(`invalid rate limit ${JSON.stringify(limit)}: perSecond > 0, burst >= 1`);
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes one token if there is one; false means "over the limit". */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there): what a "retry after" says. */
  retryAfterMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }

  /** Full again: a keyed limiter may forget this bucket, since a new one would be the same. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limit.burst;
  }

  private refill(now: number): void {
    // A clock that goes backwards (NTP step) must not mint tokens or take them away.
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.perSecond);
  }
}

/**
 * One bucket per key (e.g. client IP). Memory stays bounded however many keys appear: full buckets
 * are forgotten (a fresh one is identical), and when `maxKeys` are still tracked after that, new
 * keys share one overflow bucket — a flood of distinct keys limits itself instead of the heap.
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private overflow: TokenBucket | undefined;

  constructor(
    readonly limit: RateLimit,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): boolean {
    return this.bucketFor(key, now).take(now);
  }

  retryAfterMs(key: string, now: number): number {
    return (this.buckets.get(key) ?? this.overflow)?.retryAfterMs(now) ?? 0;
  }

  /** Keys tracked now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private bucketFor(key: string, now: number): TokenBucket {
    const known = this.buckets.get(key);
    if (known) return known;
    if (this.buckets.size >= this.maxKeys) {
      for (const [k, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(k);
    }
    if (this.buckets.size >= this.maxKeys) return (this.overflow ??= new TokenBucket(this.limit, now));
    const bucket = new TokenBucket(this.limit, now);
    this.buckets.set(key, bucket);
    return bucket;
  }
}
