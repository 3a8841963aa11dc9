import { JoinRoomForm } from '../components/JoinRoomForm.tsx';

export default function HomePage() {
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
      <section className="card join-card" aria-labelledby="join-heading">
        <h2 id="join-heading">Join a room</h2>
        <p className="muted">Everyone who opens the same room name meets in the same call.</p>
        <JoinRoomForm />
      </section>
    </div>
  );
}
