// A directory the run will create and write to (--out, --cache-dir), checked before anything runs:
// Node's recursive mkdir loops forever under pseudo-filesystems such as /proc, and a read-only or
// missing parent should be one clear line, not a failure after the analysis ran.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.ts';

export function checkWritableDir(path: string, flag: string): void {
  let p = resolve(path);
  for (let i = 0; i < 256; i++) {
    let st;
    try {
      st = statSync(p);
    } catch {
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new UserError(`${flag} ${path}: ${p} is not a directory`);
    const real = realpathSync(p);
    if (real === '/proc' || real.startsWith('/proc/') || real === '/sys' || real.startsWith('/sys/')) {
      throw new UserError(`${flag} ${path}: ${real} is a kernel pseudo-filesystem; choose a directory on disk`);
    }
    try {
      accessSync(p, constants.W_OK);
    } catch {
      throw new UserError(`${flag} ${path}: ${p} is not writable`);
    }
    return;
  }
  throw new UserError(`${flag} ${path}: no existing parent directory`);
}
