import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { REDACTED, SENSITIVE_LOG_KEYS, createServiceLogger, redactPaths } from '../src/log.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

test('names, titles, purposes, emotion values and tokens are redacted at any of the first levels; ids stay', () => {
  const { lines, stream } = capture();
  const log = createServiceLogger('test', 'info', stream);
  const probs = { happy: 0.8123, sad: 0.01, neutral: 0.1, angry: 0.01, surprise: 0.05, disgust: 0.01, fear: 0.0077 };
  log.info({ peerId: 'peer-1', displayName: 'Zebedee Marker', probs }, 'top level');
  log.info({ sample: { participantId: 'p-1', probs, dominant: 'happy', emotion: 'happy' } }, 'one level down');
  log.info({ session: { sessionId: 's-1', title: 'Marker retro', purpose: 'Marker purpose', participants: [{ displayName: 'Zebedee Marker' }] } }, 'nested');
  log.info({ request: { headers: { authorization: 'Bearer marker-token' } }, invite: 'marker-invite' }, 'access');
  log.child({ displayName: 'Zebedee Marker' }).info('child bindings too');

  assert.equal(lines.length, 5);
  const all = lines.join('\n');
  for (const secret of ['Zebedee', 'Marker retro', 'Marker purpose', 'marker-token', 'marker-invite', '0.8123', '0.0077']) {
    assert.ok(!all.includes(secret), `"${secret}" reached the log:\n${all}`);
  }
  const [first, second, third] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(first!.peerId, 'peer-1', 'technical ids are kept');
  assert.equal(first!.displayName, REDACTED);
  assert.equal(first!.service, 'test');
  assert.match(String(first!.time), /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(second!.sample, { participantId: 'p-1', probs: REDACTED, dominant: REDACTED, emotion: REDACTED });
  assert.equal((third!.session as { sessionId: string }).sessionId, 's-1');
});

test('redactPaths covers every sensitive key at each depth', () => {
  const paths = redactPaths(['a', 'b'], 3);
  assert.deepEqual(paths, ['a', 'b', '*.a', '*.b', '*.*.a', '*.*.b']);
  assert.equal(redactPaths().length, SENSITIVE_LOG_KEYS.length * 4);
});
