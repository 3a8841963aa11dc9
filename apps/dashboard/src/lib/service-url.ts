/** Default SFU port, as in apps/sfu (SFU_PORT). */
export const DEFAULT_SFU_PORT = 4000;

/**
 * Where the browser finds the SFU: SFU_PUBLIC_URL when the operator set one (read by the server at
 * request time, never baked into the build), else the page's own host on the SFU's default port.
 */
export function resolveSfuUrl(configured: string | null | undefined, page: { protocol: string; hostname: string }): string {
  const trimmed = configured?.trim();
  if (trimmed) return trimmed.replace(/\/+$/, '');
  const host = page.hostname.includes(':') ? `[${page.hostname}]` : page.hostname;
  return `${page.protocol}//${host}:${DEFAULT_SFU_PORT}`;
}
