import { CAMERA_CONSTRAINTS, MIC_CONSTRAINTS } from './encodings.ts';
import { describeCameraRestartError, describeMediaError } from './media-errors.ts';

export type LocalMediaResult = { ok: true; stream: MediaStream } | { ok: false; message: string };

/** Asks for camera and microphone once, for both the preview and the call. */
export async function acquireLocalMedia(): Promise<LocalMediaResult> {
  if (typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
    return { ok: false, message: describeMediaError(new TypeError('mediaDevices unavailable')) };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: MIC_CONSTRAINTS, video: CAMERA_CONSTRAINTS });
    return { ok: true, stream };
  } catch (error) {
    return { ok: false, message: describeMediaError(error) };
  }
}

export type CameraResult = { ok: true; track: MediaStreamTrack } | { ok: false; message: string };

/** Asks for the camera alone: turning the camera back on during a call (it was stopped when turned off). */
export async function acquireCamera(): Promise<CameraResult> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: CAMERA_CONSTRAINTS });
    const track = stream.getVideoTracks()[0];
    if (!track) return { ok: false, message: describeCameraRestartError(Object.assign(new Error('no video track'), { name: 'NotFoundError' })) };
    return { ok: true, track };
  } catch (error) {
    return { ok: false, message: describeCameraRestartError(error) };
  }
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
