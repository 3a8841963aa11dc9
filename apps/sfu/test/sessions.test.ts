import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { analyzerClient, call, client, inviteFor, joinWithTransports, request, startSfu, vp8SimulcastParameters, waitFor, TEST_ANALYZER_TOKEN, type TestSfu } from './helpers.ts';

describe('facilitated sessions: invites decide who can be analysed', () => {
  let t: TestSfu;
  before(async () => {
    t = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  });
  after(() => t.close());

  test('a forged, foreign-room, facilitator or foreign-secret invite is refused with what to do', async () => {
    const s = await client(t);
    const roomId = 'invite-room';
    for (const invite of [
      'not-a-token',
      inviteFor('another-room'),
      inviteFor(roomId, { role: 'facilitator' }),
      inviteFor(roomId, { secret: 'some-other-secret-0123456789' }),
      `${inviteFor(roomId).split('.')[0]}.AAAA`,
    ]) {
      const ack = await request(s, 'join', { roomId, displayName: 'Eve', analysisConsent: true, invite });
      assert.ok(!ack.ok, invite);
      assert.equal(ack.error.code, 'FORBIDDEN');
      assert.match(ack.error.message, /invite refused: .*(facilitator|another session|not valid|link)/);
    }
    assert.equal(t.sfu.registry.get(roomId)?.peers.size ?? 0, 0);
    // The connection is still usable: a correct invite joins.
    const ok = await call(s, 'join', { roomId, displayName: 'Eve', analysisConsent: true, invite: inviteFor(roomId) });
    assert.deepEqual(ok.session, { title: `Session ${roomId}`, purpose: 'tests', analysisEnabled: true, retentionDays: 30 });
    assert.equal(ok.analysisConsent, true);
    s.disconnect();
  });

  test('plain calls and sessions with analysis off: nobody is analysed, consent cannot be switched on', async () => {
    const { events, roster, socket } = await analyzerClient(t);
    for (const [roomId, invite] of [['plain-room', null], ['no-analysis-room', inviteFor('no-analysis-room', { analysis: false })]] as const) {
      const s = await client(t);
      const joined = await joinWithTransports(s, roomId, 'Pat', true, invite);
      assert.equal(joined.joined.analysisConsent, false, roomId);
      assert.equal(joined.joined.session === null, invite === null);
      await call(s, 'produce', { transportId: joined.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(9000) });
      const ack = await request(s, 'setAnalysisConsent', { analysisConsent: true });
      assert.ok(!ack.ok && ack.error.code === 'FORBIDDEN', roomId);
      assert.match(ack.ok ? '' : ack.error.message, invite ? /analysis turned off/ : /not a facilitated session/);
      s.disconnect();
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(events.map((e) => e.event), ['cameraSnapshot'], 'no camera was ever analysable');
    // The session participant (analysis off) is on the roster, without consent; the plain-call peer is not.
    const joinedNames = roster.filter((e) => e.event === 'participantJoined').map((e) => e.payload as { roomId: string; analysisConsent: boolean });
    assert.deepEqual(joinedNames.map((p) => [p.roomId, p.analysisConsent]), [['no-analysis-room', false]]);
    socket.disconnect();
  });

  test('the analyzer gets the roster of session participants: snapshot, joins with names, consent, leaves', async () => {
    const roomId = 'roster-room';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const { roster, socket } = await analyzerClient(t);
    await waitFor(() => roster.length === 1, 'the roster snapshot');
    assert.deepEqual(roster[0], { event: 'rosterSnapshot', payload: { participants: [{ roomId, peerId: ann.joined.peerId, displayName: 'Ann', analysisConsent: true }] } });
    const b = await client(t);
    const bob = await joinWithTransports(b, roomId, 'Bob', false);
    await call(b, 'setAnalysisConsent', { analysisConsent: true });
    await call(b, 'setAnalysisConsent', { analysisConsent: false });
    await call(b, 'leave');
    await waitFor(() => roster.length === 5, 'four roster events');
    assert.deepEqual(roster.slice(1), [
      { event: 'participantJoined', payload: { roomId, peerId: bob.joined.peerId, displayName: 'Bob', analysisConsent: false } },
      { event: 'consentChanged', payload: { roomId, peerId: bob.joined.peerId, analysisConsent: true } },
      { event: 'consentChanged', payload: { roomId, peerId: bob.joined.peerId, analysisConsent: false } },
      { event: 'participantLeft', payload: { roomId, peerId: bob.joined.peerId } },
    ]);
    a.disconnect();
    await waitFor(() => roster.length === 6, 'Ann leaving by disconnect');
    assert.deepEqual(roster[5], { event: 'participantLeft', payload: { roomId, peerId: ann.joined.peerId } });
    socket.disconnect();
  });
});
