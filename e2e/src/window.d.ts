// The dashboard's debug handle (apps/dashboard/src/components/Room.tsx), as seen from page.evaluate.
interface MoodroomDebugState {
  status: string;
  selfPeerId: string | null;
  peers: Record<string, { peerId: string; displayName: string }>;
  error: { kind: string; message: string } | null;
  rejoins: number;
}
interface Window {
  __moodroom?: {
    state: () => MoodroomDebugState | null;
    stats: () => Promise<unknown[]>;
    localTracks: () => { kind: string; readyState: 'live' | 'ended'; enabled: boolean }[];
  };
}
