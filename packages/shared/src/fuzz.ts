/**
 * Seeded malformed input for the fuzz tests of the SFU and the analyzer (test code that both apps
 * share; not exported from the package index). Deterministic: the same seed replays the same run.
 */

/** mulberry32: small, fast, good enough to pick cases; never for secrets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Fuzz {
  readonly random: () => number;

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A string that breaks assumptions: empty, huge, control and astral characters, path tricks, prototype keys. */
  string(): string {
    return this.pick<() => string>([
      () => '',
      () => ' ',
      () => 'x'.repeat(this.int(65, 300)),
      () => 'y'.repeat(this.int(2_000, 20_000)),
      () => '../../etc/passwd',
      () => '__proto__',
      () => 'constructor',
      () => '\u0000\u0001\u001f',
      () => '😀'.repeat(this.int(1, 80)),
      () => '\ud800',
      () => '<script>alert(1)</script>',
      () => '%00%ff%',
      () => String(this.int(-1e9, 1e9)),
      () => 'a'.repeat(this.int(1, 10)),
    ])();
  }

  number(): number {
    return this.pick([0, -1, 1, 0.5, -0.0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, Number.MAX_SAFE_INTEGER, 255, 65536, this.int(-1000, 1000)]);
  }

  /** Any JSON-ish value, including binary (socket.io sends Buffers as attachments) and deep nesting. */
  value(depth = 0): unknown {
    const leaf = depth > 3;
    const choice = this.int(0, leaf ? 6 : 11);
    switch (choice) {
      case 0: return undefined;
      case 1: return null;
      case 2: return this.chance(0.5);
      case 3: return this.number();
      case 4: return this.string();
      case 5: return Buffer.alloc(this.int(0, 2048), this.int(0, 255));
      case 6: return [];
      case 7: return Array.from({ length: this.int(1, 6) }, () => this.value(depth + 1));
      case 8: return Object.fromEntries(Array.from({ length: this.int(1, 6) }, () => [this.pick(['a', 'id', '__proto__', 'constructor', 'toString', this.string().slice(0, 40)]), this.value(depth + 1)]));
      case 9: return this.deep(this.int(20, 400));
      case 10: return Array.from({ length: this.int(200, 3000) }, () => this.int(0, 9));
      // An own "__proto__" key, as JSON.parse makes it on the server: prototype pollution attempts.
      default: return Object.assign(JSON.parse('{"__proto__": {"polluted": true}}') as object, this.object());
    }
  }

  object(): Record<string, unknown> {
    return Object.fromEntries(Array.from({ length: this.int(0, 4) }, () => [this.string().slice(0, 20), this.value(3)]));
  }

  /** { a: { a: … } } or [[[…]]] `levels` deep. */
  deep(levels: number): unknown {
    let v: unknown = this.chance(0.5) ? 'bottom' : 1;
    const arrays = this.chance(0.5);
    for (let i = 0; i < levels; i++) v = arrays ? [v] : { a: v };
    return v;
  }

  /**
   * A broken variant of a valid payload: a field dropped, retyped or replaced, an extra field, the
   * whole thing swapped for an array or a primitive. Nested objects are mutated too.
   */
  mutate(valid: unknown): unknown {
    if (valid === undefined || valid === null || typeof valid !== 'object' || Array.isArray(valid)) {
      return this.chance(0.5) ? this.value() : valid;
    }
    const copy: Record<string, unknown> = { ...(valid as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const key = keys.length ? this.pick(keys) : 'missing';
    switch (this.int(0, 7)) {
      case 0: delete copy[key]; return copy;
      case 1: return own(copy, key, this.value());
      case 2: return own(copy, key, this.string());
      case 3: return own(copy, key, this.number());
      case 4: return own(copy, this.string().slice(0, 30) || 'extra', this.value());
      case 5: return [copy];
      case 6: return own(copy, key, this.mutate(copy[key]));
      default: return this.value();
    }
  }
}

/** Sets an own property even for "__proto__" (plain assignment would swap the prototype instead). */
function own(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** The seed to use: FUZZ_SEED when set (to replay a failure), else a fresh one; printed either way. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env['FUZZ_SEED']);
  return Number.isInteger(fromEnv) && env['FUZZ_SEED'] !== '' ? fromEnv : Math.floor(Math.random() * 2 ** 31);
}

export interface ProbeAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * One raw HTTP request (node:http, so paths and bodies go out exactly as given, unlike fetch);
 * rejects when no answer comes within `timeoutMs` — a hang is a failure, not a slow answer.
 */
export async function httpProbe(
  base: string,
  request: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
  timeoutMs = 5000,
): Promise<ProbeAnswer> {
  const { request: send } = await import('node:http');
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    // Node sends a DELETE/OPTIONS body without a length unless told: the server would read it as a next request.
    const headers = request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    const req = send({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${request.method} ${request.path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}
