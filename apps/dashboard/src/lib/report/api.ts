/**
 * How the report page talks to the analyzer: URLs, file names and what each failure tells the
 * facilitator to do. The fetching itself lives in the component; this stays pure.
 */

export type ExportKind = 'csv' | 'json';

export function sessionApiUrl(analyzerUrl: string, sessionId: string, suffix: '' | '/report' | '/samples.csv' | '/samples.json' = ''): string {
  return `${analyzerUrl}/api/sessions/${encodeURIComponent(sessionId)}${suffix}`;
}

export function exportFileName(sessionId: string, kind: ExportKind): string {
  return `moodroom-${sessionId}-samples.${kind}`;
}

export interface ReportProblem {
  title: string;
  body: string;
}

export const MISSING_KEY_PROBLEM: ReportProblem = {
  title: 'This link has no facilitator key',
  body: 'Open the facilitator link you got when you created the session: the key after “#key=” is what lets you see the report.',
};

/** What went wrong and what to do next, per HTTP status (null status: the analyzer was not reached). */
export function describeReportFailure(status: number | null, analyzerUrl: string): ReportProblem {
  switch (status) {
    case null:
      return { title: 'The analyzer could not be reached', body: `Nothing answered at ${analyzerUrl}. Check that the analyzer is running and that ANALYZER_PUBLIC_URL points to it, then reload.` };
    case 401:
      return { title: 'This facilitator key is not valid', body: 'The key in the link was not accepted. Open the exact facilitator link you got when you created the session (copy all of it, including the part after “#key=”).' };
    case 403:
      return { title: 'This key does not open this report', body: 'The key belongs to another session or is a participant invite. Use the facilitator link of this session.' };
    case 404:
      return { title: 'This session does not exist (any more)', body: 'It may have been deleted, or its retention period has passed and its data was erased. Check the link, or create a new session.' };
    default:
      return { title: 'The report could not be loaded', body: `The analyzer answered with an error (HTTP ${status}). Try again in a moment; if it persists, check the analyzer's logs.` };
  }
}
