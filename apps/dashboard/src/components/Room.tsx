'use client';

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type FormEvent } from 'react';
import { displayNameSchema, MAX_DISPLAY_NAME, readSessionTokenPayload, tokenFromHash, type SessionTokenPayload } from '@moodroom/shared';
import { CallSession } from '../lib/call/session.ts';
import { acquireLocalMedia, stopStream } from '../lib/call/local-media.ts';
import { resolveSfuUrl } from '../lib/service-url.ts';
import type { CallState } from '../lib/call/state.ts';
import { VideoView } from './MediaElements.tsx';
import { RemoteTile, SelfTile } from './ParticipantTile.tsx';
import { FramingGuide } from './framing/FramingGuide.tsx';
import { useRelease } from './use-release.ts';

const NAME_KEY = 'moodroom.displayName';

const leaveSession = (session: CallSession) => void session.leave();

declare global {
  interface Window {
    /** Debug handle (call state and WebRTC stats), used by the e2e tests. */
    __moodroom?: {
      state: () => CallState | null;
      stats: () => Promise<unknown[]>;
      /** The local camera/mic tracks: a camera turned off must be stopped ("ended"), not just disabled. */
      localTracks: () => { kind: string; readyState: MediaStreamTrackState; enabled: boolean }[];
    };
  }
}

type MediaStatus = { kind: 'pending' } | { kind: 'ready'; stream: MediaStream } | { kind: 'failed'; message: string } | { kind: 'none' };

export function Room({ roomId, configuredSfuUrl }: { roomId: string; configuredSfuUrl: string | null }) {
  const [media, setMedia] = useState<MediaStatus>({ kind: 'pending' });
  const [displayName, setDisplayName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [micEnabled, setMicEnabled] = useState(true);
  const [cameraEnabled, setCameraEnabled] = useState(true);
  const [session, setSession] = useState<CallSession | null>(null);
  // The invite (a facilitated session) rides in the URL fragment, which never reaches a server log.
  const [invite, setInvite] = useState<{ token: string; payload: SessionTokenPayload | null } | null>(null);

  const requestMedia = useCallback(async () => {
    setMedia({ kind: 'pending' });
    const result = await acquireLocalMedia();
    setMedia(result.ok ? { kind: 'ready', stream: result.stream } : { kind: 'failed', message: result.message });
  }, []);

  useEffect(() => {
    setDisplayName(window.localStorage.getItem(NAME_KEY) ?? '');
    const token = tokenFromHash(window.location.hash, 'invite');
    // Shown for consent only; the SFU checks the signature when we join.
    if (token) setInvite({ token, payload: readSessionTokenPayload(token) });
    void requestMedia();
  }, [requestMedia]);

  const stream = media.kind === 'ready' ? media.stream : null;
  // Stop the camera when the stream is replaced or the page goes away.
  useRelease(stream, stopStream);
  useRelease(session, leaveSession);

  useEffect(() => {
    for (const t of stream?.getAudioTracks() ?? []) t.enabled = micEnabled;
  }, [stream, micEnabled]);
  useEffect(() => {
    for (const t of stream?.getVideoTracks() ?? []) t.enabled = cameraEnabled;
  }, [stream, cameraEnabled]);

  useEffect(() => {
    if (!session) return;
    window.__moodroom = {
      state: session.getState,
      stats: () => session.stats(),
      localTracks: () => (stream?.getTracks() ?? []).map((t) => ({ kind: t.kind, readyState: t.readyState, enabled: t.enabled })),
    };
  }, [session, stream]);

  // Which button submitted the form: consent is a choice made with the join, never a default.
  function join(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const analysisConsent = submitter?.value === 'allow';
    const parsed = displayNameSchema.safeParse(displayName);
    if (!parsed.success) {
      setNameError(parsed.error.issues[0]?.message ?? 'Enter your name');
      return;
    }
    window.localStorage.setItem(NAME_KEY, parsed.data);
    const s = new CallSession({
      sfuUrl: resolveSfuUrl(configuredSfuUrl, window.location),
      roomId,
      displayName: parsed.data,
      localStream: stream,
      micEnabled,
      cameraEnabled,
      analysisConsent,
      invite: invite?.token ?? null,
    });
    setSession(s);
    s.start();
  }
  const analysisOffered = invite?.payload?.analysis === true;

  if (session) {
    return (
      <Call
        session={session}
        stream={stream}
        onRetry={() => setSession(null)}
        onMic={(on) => {
          setMicEnabled(on);
          void session.setMicEnabled(on);
        }}
        onCamera={(on) => {
          setCameraEnabled(on);
          // The camera may fail to come back on: keep the lobby's switch in line with the call's.
          void session.setCameraEnabled(on).then(() => setCameraEnabled(session.getState().cameraEnabled));
        }}
      />
    );
  }

  return (
    <div className="lobby">
      <section className="card preview-card" aria-labelledby="preview-heading">
        <h1 id="preview-heading">
          Join <span className="room-name">{invite?.payload?.title || roomId}</span>
        </h1>
        <div className="preview">
          {media.kind === 'ready' && cameraEnabled ? (
            <>
              <VideoView stream={media.stream} mirrored label="Your camera preview" />
              <FramingGuide stream={media.stream} />
            </>
          ) : (
            <div className="avatar large" aria-hidden="true">
              {media.kind === 'pending' ? '…' : '🎥'}
            </div>
          )}
        </div>
        {media.kind === 'pending' && <p className="muted" role="status">Asking for your camera and microphone…</p>}
        {media.kind === 'failed' && (
          <div className="notice error" role="alert" data-testid="media-error">
            <p>{media.message}</p>
            <div className="row">
              <button type="button" className="button" onClick={() => void requestMedia()}>
                Try again
              </button>
              <button type="button" className="button" onClick={() => setMedia({ kind: 'none' })}>
                Join without camera and microphone
              </button>
            </div>
          </div>
        )}
        {media.kind === 'ready' && (
          <div className="row controls-row">
            <ToggleButton on={micEnabled} onChange={setMicEnabled} onText="Mute microphone" offText="Unmute microphone" />
            <ToggleButton
              on={cameraEnabled}
              onChange={(on) => {
                setCameraEnabled(on);
                // Turned off during a call, the camera was stopped (not just muted): capture again.
                if (on && !media.stream.getVideoTracks().some((t) => t.readyState === 'live')) void requestMedia();
              }}
              onText="Turn camera off"
              offText="Turn camera on"
            />
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="join-heading">
        <h2 id="join-heading">Your name</h2>
        <form className="stack" onSubmit={join} noValidate>
          <label htmlFor="display-name">Shown to the others in the call</label>
          <input
            id="display-name"
            name="displayName"
            value={displayName}
            maxLength={MAX_DISPLAY_NAME}
            onChange={(e) => {
              setDisplayName(e.target.value);
              setNameError(null);
            }}
            autoComplete="name"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'name-error' : undefined}
            required
          />
          {nameError && (
            <p id="name-error" className="field-error" role="alert">
              {nameError}
            </p>
          )}
          {invite && !invite.payload && (
            <p className="notice error" role="alert">
              This invite link looks damaged: ask the facilitator to send it again. You can still try to join.
            </p>
          )}
          {analysisOffered && invite?.payload ? (
            <ConsentPanel session={invite.payload} />
          ) : (
            <p className="muted small" data-testid="no-analysis-note">
              {invite?.payload ? 'Emotion analysis is turned off for this session: nobody is analysed.' : 'This is a plain video call: nobody is analysed.'}
            </p>
          )}
          <div className="row">
            {analysisOffered ? (
              <>
                {/* Decline first: pressing Enter submits with the first button, and Enter must never mean yes. */}
                <button type="submit" name="consent" value="decline" className="button" disabled={media.kind === 'pending' || media.kind === 'failed'}>
                  Join without analysis
                </button>
                <button type="submit" name="consent" value="allow" className="button primary" disabled={media.kind === 'pending' || media.kind === 'failed'}>
                  Allow analysis and join
                </button>
              </>
            ) : (
              <button type="submit" className="button primary" disabled={media.kind === 'pending' || media.kind === 'failed'}>
                Join call
              </button>
            )}
          </div>
        </form>
      </section>
    </div>
  );
}

/** A two-state button whose visible text says what pressing it does (so its name never lies). */
function ToggleButton({ on, onChange, onText, offText }: { on: boolean; onChange: (on: boolean) => void; onText: string; offText: string }) {
  return (
    <button type="button" className={`button toggle ${on ? '' : 'off'}`} onClick={() => onChange(!on)}>
      {on ? onText : offText}
    </button>
  );
}

const STATUS_TEXT: Record<CallState['status'], string> = {
  idle: 'Starting…',
  connecting: 'Connecting to the media server…',
  joined: 'In the call',
  reconnecting: 'Connection lost — reconnecting…',
  left: 'You left the call',
  error: 'Could not join the call',
};

function Call({
  session,
  stream,
  onRetry,
  onMic,
  onCamera,
}: {
  session: CallSession;
  stream: MediaStream | null;
  onRetry: () => void;
  onMic: (on: boolean) => void;
  onCamera: (on: boolean) => void;
}) {
  const state = useSyncExternalStore(session.subscribe, session.getState, session.getState);
  const peers = useMemo(() => Object.values(state.peers), [state.peers]);
  const count = peers.length + 1;
  const columns = count <= 1 ? 1 : count <= 4 ? 2 : count <= 9 ? 3 : 4;

  if (state.status === 'error' || state.status === 'left') {
    return (
      <div className="card narrow" data-testid="call-status" data-status={state.status}>
        <h1>{STATUS_TEXT[state.status]}</h1>
        {state.error && (
          <p className="notice error" role="alert" data-testid="call-error" data-error-kind={state.error.kind}>
            {state.error.message}
          </p>
        )}
        <div className="row">
          <button type="button" className="button primary" onClick={onRetry}>
            {state.status === 'left' ? 'Rejoin' : 'Try again'}
          </button>
          <a className="button" href="/">
            Home
          </a>
        </div>
      </div>
    );
  }

  return (
    <div className="call">
      <div className="call-bar">
        <h1 className="call-title">
          <span className="room-name">{state.roomId}</span>
          <span className="muted small">
            {' '}
            · {count} {count === 1 ? 'person' : 'people'}
            {state.session ? ` · ${state.session.title}` : ''}
          </span>
        </h1>
        <p className={`status-pill ${state.status}`} role="status" data-testid="call-status" data-status={state.status}>
          {STATUS_TEXT[state.status]}
        </p>
      </div>
      <div className={`grid ${columns === 1 ? 'solo' : ''}`} style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }} data-testid="participant-grid">
        <SelfTile stream={stream} displayName={state.displayName} cameraEnabled={state.cameraEnabled} micEnabled={state.micEnabled} />
        {peers.map((peer) => (
          <RemoteTile key={peer.peerId} peer={peer} />
        ))}
      </div>
      {state.notice && (
        <div className="notice error row" role="alert" data-testid="call-notice">
          <span className="grow">{state.notice}</span>
          <button type="button" className="button" onClick={() => session.dismissNotice()}>
            Dismiss
          </button>
        </div>
      )}
      {state.session?.analysisEnabled && (
        <p className="muted small center" data-testid="analysis-state" data-analysis={state.analysisConsent ? 'on' : 'off'}>
          {state.analysisConsent
            ? 'Emotion analysis of your camera is on: the facilitator sees estimates of your expressions (never your video stored). You can stop it at any time.'
            : 'Emotion analysis of your camera is off: nothing about your expressions is estimated or stored.'}
        </p>
      )}
      {count === 1 && state.status === 'joined' && <p className="muted center">Waiting for others… share the invite link to bring them in.</p>}
      <div className="controls" role="toolbar" aria-label="Call controls">
        {stream && stream.getAudioTracks().length > 0 && (
          <ToggleButton on={state.micEnabled} onChange={onMic} onText="Mute microphone" offText="Unmute microphone" />
        )}
        {stream && stream.getVideoTracks().length > 0 && (
          <ToggleButton on={state.cameraEnabled} onChange={onCamera} onText="Turn camera off" offText="Turn camera on" />
        )}
        {state.session?.analysisEnabled && (
          <ToggleButton
            on={state.analysisConsent}
            onChange={(on) => void session.setAnalysisConsent(on)}
            onText="Stop emotion analysis"
            offText="Allow emotion analysis"
          />
        )}
        <button type="button" className="button danger" onClick={() => void session.leave()}>
          Leave
        </button>
      </div>
    </div>
  );
}

/** What a participant agrees to, said before they choose (what, by whom, for how long, why). */
function ConsentPanel({ session }: { session: SessionTokenPayload }) {
  return (
    <section className="consent-panel" aria-labelledby="consent-heading" data-testid="consent-panel">
      <h3 id="consent-heading">Emotion analysis in “{session.title}”</h3>
      <ul className="small">
        <li>
          <strong>What:</strong> while you allow it, this service&apos;s own server estimates your facial expressions from your camera (happy, sad,
          neutral, angry, surprised, disgusted, fearful). These are estimates of visible expressions, not facts about how you feel. No video or
          audio is stored.
        </li>
        <li>
          <strong>Who sees it:</strong> only the facilitator of this session, on their dashboard and in their report. Other participants never
          see anyone&apos;s estimates.
        </li>
        <li>
          <strong>How long:</strong> the estimates are kept for {session.retentionDays} {session.retentionDays === 1 ? 'day' : 'days'} after the
          session, then deleted; the facilitator can delete them sooner.
        </li>
        {session.purpose && (
          <li>
            <strong>Why:</strong> {session.purpose}
          </li>
        )}
        <li>You can join without it, and stop it at any moment during the call.</li>
      </ul>
    </section>
  );
}
