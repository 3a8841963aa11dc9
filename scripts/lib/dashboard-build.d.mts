/** Whether apps/dashboard/.next is missing or older than the sources it is built from. */
export function dashboardBuildIsStale(repoRoot: string): boolean;
