import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fullWidthFromLayer, pickAnalysisSpatialLayer, splitArgs } from '@moodroom/shared';
import { consentingCameras, diffCameras } from '../src/analysis-feed.ts';
import { defaultAnalysisLayers, spatialScales } from '../src/analyzer/layers.ts';
import { tokenMatches } from '../src/analyzer/token.ts';
import { configFromEnv, detectAnnouncedAddress, parseOrigins } from '../src/config.ts';
import { AddressLimiter, ConnectionLimiter } from '../src/signalling/connection-limits.ts';
import { SerialQueue } from '../src/signalling/dispatcher.ts';
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
    assert.deepEqual(c.connection.perAddress, { connections: 64, joinAttemptsPerMinute: 120 });
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
    { peerId: 'p1', analysisConsent: true, producers: [{ producerId: 'cam1', source: 'camera', paused: false }, { producerId: 'mic1', source: 'mic', paused: false }] },
    { peerId: 'p2', analysisConsent: false, producers: [{ producerId: 'cam2', source: 'camera', paused: false }] },
    { peerId: 'p3', analysisConsent: true, producers: [{ producerId: 'scr3', source: 'screen', paused: false }] },
    { peerId: 'p4', analysisConsent: true, producers: [{ producerId: 'cam4', source: 'camera', paused: true }] },
  ];

  test('only unpaused cameras of consenting peers are analysable', () => {
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

describe('analyzer link (pure parts)', () => {
  test('token check: equal tokens only, whatever the lengths', () => {
    const token = 'a'.repeat(32);
    assert.equal(tokenMatches(token, token), true);
    assert.equal(tokenMatches(token, 'a'.repeat(31)), false);
    assert.equal(tokenMatches(token, `${token}a`), false);
    assert.equal(tokenMatches(token, ''), false);
    assert.equal(tokenMatches(token, 'b'.repeat(32)), false);
  });

  test('ANALYZER_SERVICE_TOKEN: unset disables the link, short tokens are refused', () => {
    assert.equal(configFromEnv({}, host).analyzer.token, undefined);
    assert.equal(configFromEnv({ ANALYZER_SERVICE_TOKEN: '' }, host).analyzer.token, undefined);
    assert.equal(configFromEnv({ ANALYZER_SERVICE_TOKEN: 'x'.repeat(16) }, host).analyzer.token, 'x'.repeat(16));
    assert.throws(() => configFromEnv({ ANALYZER_SERVICE_TOKEN: 'short' }, host), /ANALYZER_SERVICE_TOKEN: at least 16/);
    assert.throws(() => configFromEnv({ SFU_ANALYZER_MAX_TRANSPORTS: '0' }, host), /SFU_ANALYZER_MAX_TRANSPORTS/);
  });

  test('spatial scales: simulcast encodings (given or browser defaults) and SVC modes', () => {
    assert.deepEqual(spatialScales([{ scaleResolutionDownBy: 4 }, { scaleResolutionDownBy: 2 }, { scaleResolutionDownBy: 1 }]), [4, 2, 1]);
    assert.deepEqual(spatialScales([{}, {}, {}]), [4, 2, 1]);
    assert.deepEqual(spatialScales([{}, {}]), [2, 1]);
    assert.deepEqual(spatialScales([{ scalabilityMode: 'L3T3_KEY' }]), [4, 2, 1]);
    assert.deepEqual(spatialScales([{ scalabilityMode: 'L1T3' }]), [1]);
    assert.deepEqual(spatialScales([{}]), [1]);
    assert.deepEqual(spatialScales([]), [1]);
  });

  test('layer choice: the lowest layer at least 320 px wide, else the highest', () => {
    assert.equal(pickAnalysisSpatialLayer([4, 2, 1], 640), 1);
    assert.equal(pickAnalysisSpatialLayer([4, 2, 1], 1280), 0);
    assert.equal(pickAnalysisSpatialLayer([4, 2, 1], 320), 2);
    assert.equal(pickAnalysisSpatialLayer([4, 2, 1], 200), 2, 'nothing wide enough: the best there is');
    assert.equal(pickAnalysisSpatialLayer([1], 1280), 0);
    assert.equal(pickAnalysisSpatialLayer([4, 2, 1], 1280, 600), 1);
    // The analyzer decoded 160 px at layer 0 of [4, 2, 1]: the camera is 640 wide → layer 1.
    assert.equal(fullWidthFromLayer([4, 2, 1], 0, 160), 640);
    assert.equal(pickAnalysisSpatialLayer([4, 2, 1], fullWidthFromLayer([4, 2, 1], 0, 160)), 1);
    assert.deepEqual(defaultAnalysisLayers([4, 2, 1]), { spatialLayer: 1 });
    assert.deepEqual(defaultAnalysisLayers([1]), { spatialLayer: 0 });
  });
});

describe('ConnectionLimiter', () => {
  const limits = { messagesPerSecond: 10, messageBurst: 5, violationsPerMinute: 3, joinAttemptsPerMinute: 2 };

  test('admits the burst, then answers "slow down" with the wait; refusals pile up to a disconnect', () => {
    const l = new ConnectionLimiter(limits, 0);
    for (let i = 0; i < 5; i++) assert.deepEqual(l.check('produce', 0), { admit: true });
    const refused = l.check('produce', 0);
    assert.ok(!refused.admit);
    assert.match(refused.message, /slow down and retry in 100 ms/);
    assert.equal(refused.disconnect, false);
    assert.equal((l.check('x', 0) as { disconnect: boolean }).disconnect, false);
    assert.equal((l.check('x', 0) as { disconnect: boolean }).disconnect, false);
    assert.equal((l.check('x', 0) as { disconnect: boolean }).disconnect, true, 'the fourth refusal within a minute');
    assert.deepEqual(l.check('produce', 100), { admit: true }, 'the rate refills');
  });

  test('join attempts have their own, smaller budget', () => {
    const l = new ConnectionLimiter(limits, 0);
    assert.equal(l.check('join', 0).admit, true);
    assert.equal(l.check('join', 0).admit, true);
    const third = l.check('join', 0);
    assert.ok(!third.admit);
    assert.match(third.message, /too many join attempts \(more than 2 a minute\): retry in 30 s/);
    assert.equal(l.check('createTransport', 0).admit, true, 'other messages still pass');
    assert.equal(l.check('join', 30_000).admit, true);
  });

  test('joins also draw on the address budget, which outlives the connection', () => {
    const address = new AddressLimiter({ connections: 0, joinAttemptsPerMinute: 3 });
    const first = new ConnectionLimiter(limits, 0, { limiter: address, key: '192.0.2.1' });
    assert.equal(first.check('join', 0).admit, true);
    assert.equal(first.check('join', 0).admit, true);
    // A reconnect: a fresh per-connection budget, the same address budget.
    const second = new ConnectionLimiter(limits, 0, { limiter: address, key: '192.0.2.1' });
    assert.equal(second.check('join', 0).admit, true);
    const refused = second.check('join', 0);
    assert.ok(!refused.admit);
    assert.match(refused.message, /from your network address \(more than 3 a minute, over all its connections; reconnecting does not reset this\): retry in 20 s/);
    const other = new ConnectionLimiter(limits, 0, { limiter: address, key: '192.0.2.2' });
    assert.equal(other.check('join', 0).admit, true, 'another address has its own budget');
  });
});

describe('per-address limits', () => {
  test('connections: at most N open per address, released once (idempotent), counts forgotten at zero', () => {
    const limiter = new AddressLimiter({ connections: 2, joinAttemptsPerMinute: 0 });
    const a = limiter.connect('k');
    const b = limiter.connect('k');
    assert.ok(a.admit && b.admit);
    const c = limiter.connect('k');
    assert.ok(!c.admit);
    assert.match(c.message, /too many connections from your network address \(2 open.*SFU_MAX_CONNECTIONS_PER_IP/);
    assert.ok(limiter.connect('other').admit, 'another address is not affected');
    a.release();
    a.release();
    assert.equal(limiter.connections('k'), 1, 'a second release gives back nothing more');
    assert.ok(limiter.connect('k').admit);
    assert.equal(limiter.join('k', 0), undefined, 'joinAttemptsPerMinute 0: no join limit');
  });

  test('0 connections means no limit', () => {
    const limiter = new AddressLimiter({ connections: 0, joinAttemptsPerMinute: 0 });
    for (let i = 0; i < 1000; i++) assert.ok(limiter.connect('k').admit);
  });
});
