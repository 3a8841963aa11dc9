'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { roomIdSchema } from '@moodroom/shared';

export function JoinRoomForm() {
  const router = useRouter();
  const [roomId, setRoomId] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = roomIdSchema.safeParse(roomId.trim());
    if (!parsed.success) {
      setError('Use 1–64 letters, digits, “_” or “-” (for example team-standup).');
      return;
    }
    router.push(`/room/${encodeURIComponent(parsed.data)}`);
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <label htmlFor="room-id">Room name</label>
      <div className="row">
        <input
          id="room-id"
          name="roomId"
          value={roomId}
          onChange={(e) => {
            setRoomId(e.target.value);
            setError(null);
          }}
          placeholder="team-standup"
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'room-id-error' : undefined}
          required
        />
        <button type="submit" className="button primary">
          Continue
        </button>
      </div>
      {error && (
        <p id="room-id-error" className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
