/**
 * What a participant's card says about analysis. "withdrawn" (as opposed to "declined") tells the
 * facilitator that the gap in the data is the participant's choice made during the call.
 */
export type ConsentState = 'on' | 'declined' | 'withdrawn';

export function consentState(analysisConsent: boolean, everConsented: boolean): ConsentState {
  if (analysisConsent) return 'on';
  return everConsented ? 'withdrawn' : 'declined';
}

export const CONSENT_LABELS: Readonly<Record<ConsentState, string>> = {
  on: 'analysis on',
  declined: 'declined',
  withdrawn: 'withdrawn',
};
