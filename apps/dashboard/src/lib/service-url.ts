/** Default ports, as in apps/sfu (SFU_PORT) and apps/analyzer (ANALYZER_PORT). */
export const DEFAULT_SFU_PORT = 4000;
export const DEFAULT_ANALYZER_PORT = 4100;

type PageLocation = { protocol: string; hostname: string };

/**
 * Where the browser finds a backend service: the operator's public URL when set (read by the server
 * at request time, never baked into the build), else the page's own host on the service's default port.
 */
export function resolveServiceUrl(configured: string | null | undefined, page: PageLocation, defaultPort: number): string {
  const trimmed = configured?.trim();
  if (trimmed) return trimmed.replace(/\/+$/, '');
  const host = page.hostname.includes(':') ? `[${page.hostname}]` : page.hostname;
  return `${page.protocol}//${host}:${defaultPort}`;
}

/** SFU_PUBLIC_URL, else the page host on port 4000. */
export const resolveSfuUrl = (configured: string | null | undefined, page: PageLocation) => resolveServiceUrl(configured, page, DEFAULT_SFU_PORT);
/** ANALYZER_PUBLIC_URL, else the page host on port 4100. */
export const resolveAnalyzerUrl = (configured: string | null | undefined, page: PageLocation) => resolveServiceUrl(configured, page, DEFAULT_ANALYZER_PORT);
