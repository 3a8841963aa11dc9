import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { consentingCameras, diffCameras } from '../src/analysis-feed.ts';
import { configFromEnv, detectAnnouncedAddress, parseOrigins } from '../src/config.ts';
import { splitArgs, SerialQueue } from '../src/signalling/dispatcher.ts';
import { originAllowed } from '../src/signalling/socket-server.ts';
import { pickLeastLoaded, replacementDelayMs } from '../src/worker-pool.ts';

const host = { cores: 6, interfaces: {} };

describe('config', () => {
  test('defaults: port 4000, one worker per core, local dashboard origins, loopback when no LAN address', () => {
    const c = configFromEnv({}, host);
    assert.equal(c.http.port, 4000);
    assert.equal(c.workers.count, 6);
    assert.deepEqual(c.http.corsOrigins, ['http://localhost:3000', 'http://127.0.0.1:3000']);
    assert.equal(c.rtc.listenIp, '0.0.0.0');
    assert.equal(c.rtc.announcedAddress, '127.0.0.1');
    assert.deepEqual(c.rtc.portRange, { min: 40000, max: 49999 });
    assert.equal(c.http.maxMessageBytes, 65536);
    assert.equal(c.rtc.enableUdp && c.rtc.enableTcp && c.rtc.preferUdp, true);
  });

  test('parses and validates every variable', () => {
    const c = configFromEnv(
      {
        SFU_PORT: '4100',
        SFU_WORKERS: '3',
        SFU_CORS_ORIGINS: 'https://moodroom.example.org, http://localhost:3000',
        SFU_RTC_ANNOUNCED_ADDRESS: '203.0.113.7',
        SFU_RTC_MIN_PORT: '50000',
        SFU_RTC_MAX_PORT: '50100',
        SFU_RTC_ENABLE_TCP: 'false',
        SFU_MAX_PEERS_PER_ROOM: '12',
      },
      host,
    );
    assert.equal(c.http.port, 4100);
    assert.equal(c.workers.count, 3);
    assert.deepEqual(c.http.corsOrigins, ['https://moodroom.example.org', 'http://localhost:3000']);
    assert.equal(c.rtc.announcedAddress, '203.0.113.7');
    assert.deepEqual(c.rtc.portRange, { min: 50000, max: 50100 });
    assert.equal(c.rtc.enableTcp, false);
    assert.equal(c.limits.peersPerRoom, 12);
  });

  test('bad values fail with the variable named', () => {
    assert.throws(() => configFromEnv({ SFU_PORT: 'abc' }, host), /SFU_PORT/);
    assert.throws(() => configFromEnv({ SFU_RTC_MIN_PORT: '50000', SFU_RTC_MAX_PORT: '40000' }, host), /SFU_RTC_MIN_PORT/);
    assert.throws(() => configFromEnv({ SFU_RTC_ENABLE_UDP: 'false', SFU_RTC_ENABLE_TCP: 'no' }, host), /enable at least one/);
    assert.throws(() => configFromEnv({ SFU_CORS_ORIGINS: '*' }, host), /not allowed/);
    assert.throws(() => parseOrigins('localhost:3000'), /not an origin/);
    assert.throws(() => configFromEnv({ SFU_LOG_LEVEL: 'loud' }, host), /SFU_LOG_LEVEL/);
  });

  test('announced address: first non-internal IPv4, an explicit listen IP, or loopback', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [
        { address: 'fe80::1', family: 'IPv6', internal: false },
        { address: '192.168.1.20', family: 'IPv4', internal: false },
      ],
    } as unknown as ReturnType<typeof import('node:os').networkInterfaces>;
    assert.equal(detectAnnouncedAddress(interfaces), '192.168.1.20');
    assert.equal(configFromEnv({}, { cores: 1, interfaces }).rtc.announcedAddress, '192.168.1.20');
    assert.equal(configFromEnv({ SFU_RTC_LISTEN_IP: '10.0.0.5' }, { cores: 1, interfaces }).rtc.announcedAddress, '10.0.0.5');
  });
});

describe('worker pool choices', () => {
  test('least-loaded worker wins; ties go to the first; empty pool has none', () => {
    assert.equal(pickLeastLoaded([{ id: 'a', load: 2 }, { id: 'b', load: 1 }, { id: 'c', load: 1 }])?.id, 'b');
    assert.equal(pickLeastLoaded([{ id: 'a', load: 0 }, { id: 'b', load: 0 }])?.id, 'a');
    assert.equal(pickLeastLoaded([]), undefined);
  });

  test('replacement backoff starts at once and is capped', () => {
    assert.deepEqual([0, 1, 2, 3, 10].map(replacementDelayMs), [0, 250, 500, 1000, 10_000]);
  });
});

describe('analysis seam (pure parts)', () => {
  const peers = [
    { peerId: 'p1', analysisConsent: true, producers: [{ producerId: 'cam1', source: 'camera' }, { producerId: 'mic1', source: 'mic' }] },
    { peerId: 'p2', analysisConsent: false, producers: [{ producerId: 'cam2', source: 'camera' }] },
    { peerId: 'p3', analysisConsent: true, producers: [{ producerId: 'scr3', source: 'screen' }] },
  ];

  test('only cameras of consenting peers are analysable', () => {
    assert.deepEqual([...consentingCameras('r', peers).keys()], ['cam1']);
  });

  test('diff reports what appeared and disappeared', () => {
    const before = consentingCameras('r', peers);
    const after = consentingCameras('r', [{ ...peers[0]!, analysisConsent: false }, { ...peers[1]!, analysisConsent: true }]);
    assert.deepEqual(diffCameras(before, after), {
      added: [{ roomId: 'r', peerId: 'p2', producerId: 'cam2' }],
      removed: [{ roomId: 'r', peerId: 'p1', producerId: 'cam1' }],
    });
  });
});

describe('signalling plumbing', () => {
  test('splitArgs finds the ack as the last argument', () => {
    const ack = () => {};
    assert.deepEqual(splitArgs([{ a: 1 }, ack]), { payload: { a: 1 }, ack });
    assert.deepEqual(splitArgs([ack]), { payload: undefined, ack });
    assert.deepEqual(splitArgs([{ a: 1 }]), { payload: { a: 1 } });
    assert.deepEqual(splitArgs([]), { payload: undefined });
  });

  test('a serial queue runs tasks in order and survives a failing one', async () => {
    const q = new SerialQueue();
    const seen: number[] = [];
    const slow = q.push(async () => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push(1);
    });
    const failing = q.push(async () => {
      throw new Error('boom');
    });
    const fast = q.push(async () => {
      seen.push(3);
    });
    await slow;
    await assert.rejects(failing, /boom/);
    await fast;
    assert.deepEqual(seen, [1, 3]);
  });

  test('origin check: listed origins and non-browser clients only', () => {
    assert.equal(originAllowed('http://localhost:3000', ['http://localhost:3000']), true);
    assert.equal(originAllowed(undefined, ['http://localhost:3000']), true);
    assert.equal(originAllowed('https://evil.example', ['http://localhost:3000']), false);
  });
});
