/** What the dashboard and report pages show for an address without a valid session id. */
export function InvalidSessionLink({ testId }: { testId: string }) {
  return (
    <div className="card narrow" role="alert" data-testid={testId} data-state="error">
      <h1>This isn&apos;t a session link</h1>
      <p>The address does not contain a valid session id. Open the facilitator link you got when you created the session.</p>
      <a className="button primary" href="/">
        Back to the start page
      </a>
    </div>
  );
}
