import { z } from 'zod';

/**
 * Parses a process environment with a zod schema whose keys are env var names. Each app keeps its
 * schema (with defaults and descriptions) next to its code; this gives one error format for all:
 * every bad variable named, with what was expected.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration (environment variables):\n${lines.join('\n')}\nFix the variables above; see the app's README for defaults.`);
  }
  return result.data;
}

/** Env helpers: env vars are strings, these coerce with clear messages. */
export const envInt = (def: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
export const envBool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const envString = (def: string) => z.string().min(1).default(def);

/** A service log level (pino's levels): SFU_LOG_LEVEL, ANALYZER_LOG_LEVEL. */
export const envLogLevel = (def: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' = 'info') =>
  z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default(def);

/**
 * A comma-separated list of browser origins allowed to call a service (CORS). "*" is refused:
 * it would let any website drive a visitor's browser into rooms or a facilitator's data.
 */
export function parseOriginList(variable: string, value: string): string[] {
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (o === '*') throw new Error(`${variable}: "*" is not allowed; list the dashboard origin(s), e.g. https://moodroom.example.org`);
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new Error(`${variable}: "${o}" is not an origin like http://localhost:3000`);
  }
  if (origins.length === 0) throw new Error(`${variable}: at least one origin is required`);
  return origins;
}

/** Where the dashboard runs on a developer machine: the default allowed origin of the SFU and the analyzer. */
export const DEFAULT_DASHBOARD_ORIGINS = 'http://localhost:3000,http://127.0.0.1:3000';
