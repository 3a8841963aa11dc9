import type { AnalysableCamera, CameraUnavailableReason } from '@moodroom/shared';

/** Why the link dropped a camera on its own: the SFU connection went down, or a snapshot no longer lists it. */
export type LinkRemovalReason = 'sfu-disconnected' | 'resync';

export type CameraChange =
  | { type: 'add'; camera: AnalysableCamera }
  | { type: 'remove'; camera: AnalysableCamera; reason: CameraUnavailableReason | LinkRemovalReason };

export type CameraSet = ReadonlyMap<string, AnalysableCamera>;

/** Pure: a snapshot replaces the set; the changes say how to get there (removals first). */
export function applySnapshot(current: CameraSet, cameras: readonly AnalysableCamera[]): { next: CameraSet; changes: CameraChange[] } {
  const next = new Map(cameras.map((c) => [c.producerId, c]));
  const changes: CameraChange[] = [];
  for (const camera of current.values()) if (!next.has(camera.producerId)) changes.push({ type: 'remove', camera, reason: 'resync' });
  for (const camera of next.values()) if (!current.has(camera.producerId)) changes.push({ type: 'add', camera });
  return { next, changes };
}

/** Pure: one live event. Repeats (an add for a known camera, a remove for an unknown one) change nothing. */
export function applyChange(current: CameraSet, change: CameraChange): { next: CameraSet; changes: CameraChange[] } {
  const known = current.has(change.camera.producerId);
  if (change.type === 'add' ? known : !known) return { next: current, changes: [] };
  const next = new Map(current);
  if (change.type === 'add') next.set(change.camera.producerId, change.camera);
  else next.delete(change.camera.producerId);
  return { next, changes: [change] };
}

/** Pure: the connection dropped; the SFU has freed our consumers, so every camera is gone for us. */
export function dropAll(current: CameraSet): { next: CameraSet; changes: CameraChange[] } {
  return { next: new Map(), changes: [...current.values()].map((camera) => ({ type: 'remove', camera, reason: 'sfu-disconnected' })) };
}
