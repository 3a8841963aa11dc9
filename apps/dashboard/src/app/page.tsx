import { connection } from 'next/server';
import { CreateSessionForm } from '../components/CreateSessionForm.tsx';
import { JoinRoomForm } from '../components/JoinRoomForm.tsx';

export default async function HomePage() {
  // Rendered per request: ANALYZER_PUBLIC_URL is read at run time, so one build serves every deployment.
  await connection();
  return (
    <div className="home">
      <section className="hero">
        <h1>Video calls that notice the mood</h1>
        <p className="lead">
          Moodroom is an open-source video call with realtime emotion analytics. Participants who consent have their camera
          analysed on your own server; the facilitator sees the room&apos;s mood as estimates, never anyone&apos;s video
          stored, and participants never see each other&apos;s emotion data.
        </p>
      </section>
      <section className="card join-card" aria-labelledby="session-heading">
        <h2 id="session-heading">Facilitate a session</h2>
        <p className="muted">You get a private link to the live mood dashboard and report, and an invite link for participants.</p>
        <CreateSessionForm configuredAnalyzerUrl={process.env.ANALYZER_PUBLIC_URL ?? null} />
      </section>
      <section className="card join-card" aria-labelledby="join-heading">
        <h2 id="join-heading">Or just have a call</h2>
        <p className="muted">Everyone who opens the same room name meets in the same call. Nobody is analysed in a plain call.</p>
        <JoinRoomForm />
      </section>
    </div>
  );
}
