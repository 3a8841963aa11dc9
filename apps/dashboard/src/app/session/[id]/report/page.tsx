import type { Metadata } from 'next';
import { connection } from 'next/server';
import { sessionIdSchema } from '@moodroom/shared';
import { ReportView } from '../../../../components/report/ReportView.tsx';
import '../../report.css';

export const metadata: Metadata = { title: 'Session report · Moodroom', robots: { index: false, follow: false } };

export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  // Rendered per request: ANALYZER_PUBLIC_URL is read at run time, so one build serves every deployment.
  await connection();
  const { id } = await params;
  const sessionId = sessionIdSchema.safeParse(decodeURIComponent(id));
  if (!sessionId.success) {
    return (
      <div className="card narrow" role="alert" data-testid="report" data-state="error">
        <h1>This is not a session link</h1>
        <p>The address does not contain a valid session id. Open the facilitator link you got when you created the session.</p>
        <a className="button primary" href="/">
          Go to the start page
        </a>
      </div>
    );
  }
  return <ReportView sessionId={sessionId.data} configuredAnalyzerUrl={process.env.ANALYZER_PUBLIC_URL ?? null} />;
}
