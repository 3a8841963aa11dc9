import type { Metadata } from 'next';
import { connection } from 'next/server';
import { sessionIdSchema } from '@moodroom/shared';
import { InvalidSessionLink } from '../../../../components/InvalidSessionLink.tsx';
import { ReportView } from '../../../../components/report/ReportView.tsx';
import '../../report.css';

export const metadata: Metadata = { title: 'Session report · Moodroom', robots: { index: false, follow: false } };

export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  // Rendered per request: ANALYZER_PUBLIC_URL is read at run time, so one build serves every deployment.
  await connection();
  const { id } = await params;
  const sessionId = sessionIdSchema.safeParse(decodeURIComponent(id));
  if (!sessionId.success) return <InvalidSessionLink testId="report" />;
  return <ReportView sessionId={sessionId.data} configuredAnalyzerUrl={process.env.ANALYZER_PUBLIC_URL ?? null} />;
}
