import { connection } from 'next/server';
import { roomIdSchema } from '@moodroom/shared';
import { Room } from '../../../components/Room.tsx';

export default async function RoomPage({ params }: { params: Promise<{ id: string }> }) {
  // Rendered per request: SFU_PUBLIC_URL is read at run time, so one build serves every deployment.
  await connection();
  const { id } = await params;
  const roomId = roomIdSchema.safeParse(decodeURIComponent(id));
  if (!roomId.success) {
    return (
      <div className="card narrow" role="alert">
        <h1>That room name can&apos;t be used</h1>
        <p>Room names have 1–64 letters, digits, “_” or “-”.</p>
        <a className="button primary" href="/">
          Choose another room
        </a>
      </div>
    );
  }
  return <Room roomId={roomId.data} configuredSfuUrl={process.env.SFU_PUBLIC_URL ?? null} />;
}
