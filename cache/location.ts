// Where the cache lives: `--cache-dir` beats FLOW_CACHE_DIR beats `.flow-cache/` in the cwd.
import { join, resolve } from 'node:path';

export const DEFAULT_CACHE_DIR = '.flow-cache';

/** Where the generate node writes its synthetic samples inside a cache dir: files the store counts
 *  (`stats`), removes with `clear` and whose interrupted writes it sweeps (open, `gc`). */
export function generatedDir(cacheDir: string): string {
  return join(cacheDir, 'generated');
}

export function resolveCacheDir(flag?: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (flag) return resolve(cwd, flag);
  if (env.FLOW_CACHE_DIR) return resolve(cwd, env.FLOW_CACHE_DIR);
  return resolve(cwd, DEFAULT_CACHE_DIR);
}
