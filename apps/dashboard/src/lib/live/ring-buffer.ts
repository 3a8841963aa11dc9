/**
 * Fixed-capacity FIFO of time-stamped items, oldest first. The capacity is a hard memory bound
 * (a misbehaving analyzer sending 100 windows/s cannot grow the page); time eviction keeps only
 * the window the dashboard shows.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends; when full, the oldest item is dropped. */
  push(item: T): void {
    if (this.count === this.capacity) {
      this.items[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
    this.items[(this.start + this.count) % this.capacity] = item;
    this.count++;
  }

  /** 0 = oldest. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.items[(this.start + index) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  /** Replaces the newest item (used to coalesce points that are too close together). */
  replaceLast(item: T): void {
    if (this.count === 0) this.push(item);
    else this.items[(this.start + this.count - 1) % this.capacity] = item;
  }

  /** Drops items from the front while `isOld` holds; items are assumed ordered by time. */
  evictWhile(isOld: (item: T) => boolean): number {
    let dropped = 0;
    while (this.count > 0 && isOld(this.items[this.start] as T)) {
      this.items[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}
