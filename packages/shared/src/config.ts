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
