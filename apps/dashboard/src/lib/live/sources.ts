import type { TimelineData } from './series.ts';
import { participantTimeline, roomTimeline } from './series.ts';
import type { LiveStore } from './store.ts';

/** What a chart needs from the store: its data, and a cheap "did it change" key. */
export interface TimelineSourceLike {
  revision(): string | number;
  getData(): TimelineData;
  subscribe(listener: () => void): () => void;
}

/** One participant's series (the chart itself redraws now and then for the moving time axis). */
export function participantSource(store: LiveStore, participantId: string): TimelineSourceLike {
  return {
    revision: () => store.participants.get(participantId)?.revision ?? -1,
    getData: () => {
      const p = store.participants.get(participantId);
      return p ? participantTimeline(p.samples) : participantTimeline({ size: 0, at: () => undefined });
    },
    subscribe: store.subscribe,
  };
}

export function roomSource(store: LiveStore): TimelineSourceLike {
  return { revision: () => store.roomRevision, getData: () => roomTimeline(store.roomMood), subscribe: store.subscribe };
}
