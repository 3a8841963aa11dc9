import type { AnalyticsEventName, AnalyticsEventPayload } from '@moodroom/shared';
import type { LiveStore } from './store.ts';

/** One validated server → dashboard event. */
export type LiveEvent = { [E in AnalyticsEventName]: { name: E; payload: AnalyticsEventPayload<E> } }[AnalyticsEventName];

/** Routes an event into the store; returns whether it was a sample that got applied. */
export function applyLiveEvent(store: LiveStore, event: LiveEvent, now: number): boolean {
  switch (event.name) {
    case 'sample':
      return store.applySample(event.payload, now);
    case 'participantJoined':
      store.applyJoined(event.payload);
      return false;
    case 'participantLeft':
      store.applyLeft(event.payload, now);
      return false;
    case 'consentChanged':
      store.applyConsent(event.payload, now);
      return false;
    case 'analyzerStatus':
      store.applyStatus(event.payload);
      return false;
  }
}
