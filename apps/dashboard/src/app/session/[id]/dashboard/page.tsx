import { connection } from 'next/server';
import type { Metadata } from 'next';
import { sessionIdSchema } from '@moodroom/shared';
import { InvalidSessionLink } from '../../../../components/InvalidSessionLink.tsx';
import { LiveDashboard } from '../../../../components/live/LiveDashboard.tsx';
import 'uplot/dist/uPlot.min.css';
import '../../dashboard.css';

export const metadata: Metadata = { title: 'Live dashboard · Moodroom', referrer: 'no-referrer' };

export default async function LiveDashboardPage({ params }: { params: Promise<{ id: string }> }) {
  // Rendered per request: ANALYZER_PUBLIC_URL is read at run time, so one build serves every deployment.
  await connection();
  const { id } = await params;
  const sessionId = sessionIdSchema.safeParse(decodeURIComponent(id));
  if (!sessionId.success) return <InvalidSessionLink testId="live-dashboard" />;
  return <LiveDashboard sessionId={sessionId.data} configuredAnalyzerUrl={process.env.ANALYZER_PUBLIC_URL ?? null} />;
}
