'use client';

import { useMemo } from 'react';
import { computeAlerts, displayNameOf } from '../../lib/live/alerts.ts';
import { hasFreshFace } from '../../lib/live/room-mood.ts';
import { participantSource, roomSource, type TimelineSourceLike } from '../../lib/live/sources.ts';
import { AlertsArea } from './AlertsArea.tsx';
import { AnalyzerStatusView } from './AnalyzerStatusView.tsx';
import { DashboardHeader } from './DashboardHeader.tsx';
import { EmotionLegend } from '../EmotionLegend.tsx';
import { ParticipantCard } from './ParticipantCard.tsx';
import { RoomMoodCard } from './RoomMoodCard.tsx';
import { useLiveDashboard } from './use-live-dashboard.ts';

interface Props {
  sessionId: string;
  configuredAnalyzerUrl: string | null;
}

/** The facilitator's live view of one session (client only: it holds the socket and the charts). */
export function LiveDashboard({ sessionId, configuredAnalyzerUrl }: Props) {
  const { store, status, scheduler, token } = useLiveDashboard(sessionId, configuredAnalyzerUrl);
  const room = useMemo(() => roomSource(store), [store]);
  // One source object per participant for the store's lifetime, so charts never re-subscribe.
  const sources = useMemo(() => new Map<string, TimelineSourceLike>(), [store]);
  const sourceFor = (id: string) => {
    let s = sources.get(id);
    if (!s) sources.set(id, (s = participantSource(store, id)));
    return s;
  };

  const now = Date.now();
  const participants = [...store.participants.values()];
  const alerts = computeAlerts({ participants, analyzer: store.analyzer }, now);

  return (
    <div className="live-dashboard" data-testid="live-dashboard" data-state={status.state}>
      <DashboardHeader
        sessionId={sessionId}
        title={store.session?.title ?? null}
        token={token}
        status={status}
        analyzer={status.state === 'live' ? <AnalyzerStatusView status={store.analyzer} /> : null}
      />
      {status.state === 'error' ? (
        <div className="notice error" role="alert">
          <p>
            <strong>The live dashboard can’t connect.</strong>
          </p>
          <p>{status.message}</p>
        </div>
      ) : status.state === 'connecting' && store.session === null ? (
        <p className="card live-connecting" role="status">
          {status.message ?? 'Connecting to the analyzer…'}
        </p>
      ) : (
        <>
          {status.state === 'connecting' && status.message && (
            <p className="notice live-reconnecting" role="status">
              {status.message} The data below stops updating until then.
            </p>
          )}
          {store.session && !store.session.analysisEnabled && (
            <p className="notice">Analysis is switched off for this session: it is a plain call, and nobody is analysed.</p>
          )}
          <AlertsArea alerts={alerts} />
          <RoomMoodCard mood={store.currentRoomMood()} points={store.roomMood.size} source={room} scheduler={scheduler} />
          <section className="live-participants" aria-labelledby="participants-title">
            <div className="live-participants-head">
              <h2 id="participants-title">
                Participants <span className="muted">({participants.filter((p) => p.leftAt === null).length} in the call)</span>
              </h2>
              <EmotionLegend className="emotion-legend small" swatchClassName="emotion-swatch" label="Chart colours" />
            </div>
            {participants.length === 0 ? (
              <div className="card live-empty">
                <p>
                  <strong>No one has joined yet.</strong>
                </p>
                <p className="muted">Share the participant invite link; each person appears here as they join, and only those who consent are analysed.</p>
              </div>
            ) : (
              <div className="participant-grid">
                {participants.map((p) => (
                  <ParticipantCard
                    key={p.participantId}
                    participantId={p.participantId}
                    name={displayNameOf(p)}
                    consent={p.consent}
                    left={p.leftAt !== null}
                    face={hasFreshFace(p, now)}
                    dominant={p.latest?.dominant ?? null}
                    dominantProb={p.latest?.probs && p.latest.dominant ? p.latest.probs[p.latest.dominant] : null}
                    points={p.samples.size}
                    lastT={p.latest?.t ?? null}
                    source={sourceFor(p.participantId)}
                    scheduler={scheduler}
                  />
                ))}
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}
