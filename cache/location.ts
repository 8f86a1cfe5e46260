// Where the cache lives: `--cache-dir` beats FLOW_CACHE_DIR beats `.flow-cache/` in the cwd.
import { resolve } from 'node:path';

export const DEFAULT_CACHE_DIR = '.flow-cache';

export function resolveCacheDir(flag?: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (flag) return resolve(cwd, flag);
  if (env.FLOW_CACHE_DIR) return resolve(cwd, env.FLOW_CACHE_DIR);
  return resolve(cwd, DEFAULT_CACHE_DIR);
}
