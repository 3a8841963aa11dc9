'use client';

import { useId } from 'react';
import { formatDuration, formatShare, type ParticipantReport } from '@moodroom/shared';
import { EmotionBars } from './EmotionBars.tsx';
import { StackedChart } from './StackedChart.tsx';

export function ParticipantSection({ participant: p }: { participant: ParticipantReport }) {
  // useId, not the participant id: ids from the analyzer may hold characters an HTML id cannot.
  const headingId = useId();
  return (
    <section className="card report-participant" data-testid="report-participant" data-participant-id={p.participantId} data-analysed={String(p.analysed)} aria-labelledby={headingId}>
      <h3 id={headingId}>{p.displayName}</h3>
      {!p.analysed ? (
        <p className="muted">Not analysed: no estimates exist for {p.displayName} (analysis not allowed, or nothing was recorded).</p>
      ) : (
        <>
          <dl className="report-stats">
            <div><dt>Windows analysed</dt><dd>{p.samples}</dd></div>
            <div><dt>Face visible</dt><dd>{formatShare(p.faceVisibleShare)}</dd></div>
            <div><dt>No face</dt><dd>{formatDuration(p.noFaceMs)}</dd></div>
            <div><dt>Analysis gaps</dt><dd>{formatDuration(p.gapMs)}</dd></div>
            <div><dt>Mean quality</dt><dd>{p.meanQuality === null ? '–' : formatShare(p.meanQuality)}</dd></div>
          </dl>
          {p.meanProbs ? (
            <div className="report-participant-charts">
              <EmotionBars shares={p.dominantShare} caption="Share of the time with a visible face in which each expression was the most likely estimate" />
              <StackedChart
                points={p.timeline}
                title={`Estimated expressions of ${p.displayName} over time`}
                description={`Stacked shares of the seven estimated expressions for ${p.displayName}; blank where no face was visible.`}
              />
            </div>
          ) : (
            <p className="muted">{p.displayName}&apos;s face was never visible to the analysis, so there is no estimate.</p>
          )}
        </>
      )}
    </section>
  );
}
