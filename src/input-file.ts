// Reading a user's text input (workspace JSON, YAML config, datacard, shapes JSON): refused up front
// if it is not a regular file (a FIFO would block, /dev/zero would never end, a directory is no
// input) or if it is larger than a text input can sensibly be; every message names the file.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { UserError } from './errors.ts';

/** Default size limit of a text input: 512 MiB (FLOW_MAX_INPUT_BYTES overrides it). */
export function maxInputBytes(): number {
  const env = Number(process.env.FLOW_MAX_INPUT_BYTES);
  return Number.isFinite(env) && env > 0 ? env : 512 * 1024 * 1024;
}

/** What a non-regular file is, for the message. */
function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The UTF-8 text of `path`, a `what` (e.g. 'workspace'); UserError naming the file otherwise. */
export function readTextInput(path: string, what: string, maxBytes = maxInputBytes()): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang before we can look at it
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new UserError(`cannot read ${what} '${path}': ${why}`, { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`cannot read ${what} '${path}': it is ${fileKind(st)}, not a regular file`);
    if (st.size > maxBytes) throw new UserError(`cannot read ${what} '${path}': ${st.size} bytes is over the ${maxBytes}-byte limit for input files (FLOW_MAX_INPUT_BYTES)`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
