'use client';

import type { RemotePeer } from '../lib/call/state.ts';
import { tileMedia } from '../lib/call/state.ts';
import { AudioSink, VideoView } from './MediaElements.tsx';
import { FramingBadge } from './framing/FramingGuide.tsx';

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}

export function RemoteTile({ peer }: { peer: RemotePeer }) {
  const { video, audio } = tileMedia(peer);
  const showVideo = video?.track && !video.paused;
  const micMuted = !audio || audio.paused;
  return (
    <figure className="tile" data-testid="participant-tile" data-peer-id={peer.peerId} data-display-name={peer.displayName}>
      {showVideo ? (
        <VideoView track={video.track} label={`${peer.displayName}'s camera`} />
      ) : (
        <div className="avatar" aria-label={`${peer.displayName}: camera off`}>
          {initials(peer.displayName)}
        </div>
      )}
      {audio?.track && <AudioSink track={audio.track} />}
      <figcaption className="tile-name">
        <span>{peer.displayName}</span>
        {micMuted && <span className="badge" aria-label="microphone muted">muted</span>}
      </figcaption>
    </figure>
  );
}

export function SelfTile({ stream, displayName, cameraEnabled, micEnabled }: { stream: MediaStream | null; displayName: string; cameraEnabled: boolean; micEnabled: boolean }) {
  return (
    <figure className="tile self" data-testid="self-tile" data-display-name={displayName}>
      {stream && cameraEnabled && stream.getVideoTracks().length > 0 ? (
        <>
          <VideoView stream={stream} mirrored label="Your camera" />
          <FramingBadge stream={stream} />
        </>
      ) : (
        <div className="avatar" aria-label="Your camera is off">
          {initials(displayName)}
        </div>
      )}
      <figcaption className="tile-name">
        <span>{displayName} (you)</span>
        {!micEnabled && <span className="badge" aria-label="your microphone is muted">muted</span>}
      </figcaption>
    </figure>
  );
}
