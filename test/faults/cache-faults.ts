// Faults applied to a copy of a cache directory, for the fault harness (test/fault-cache.test.ts).
// Each takes the cache dir and a seeded random source, damages it, and says what it did. Offsets
// are drawn at random within bounds, but deterministically from the seed.
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';

export type Rand = () => number; // [0, 1)

export function seededRandom(seed: number): Rand {
  // mix the seed so that consecutive seeds give unrelated streams
  let x = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0 || 1;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  // the first outputs of neighbouring seeds are close (0.643, 0.640 for seeds 21, 22): skip them
  for (let i = 0; i < 8; i++) next();
  return next;
}

const pick = <T>(items: T[], rand: Rand): T => items[Math.floor(rand() * items.length)]!;

function flipBit(file: string, offset: number, bit: number): void {
  const buf = readFileSync(file);
  buf[offset] = buf[offset]! ^ (1 << bit);
  writeFileSync(file, buf);
}

function blobFiles(cache: string): string[] {
  return readdirSync(join(cache, 'blobs'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Offsets in index.mdb of the results of the fit, limit and workspace nodes (their meta names
 *  the POI), as in the reported fault: Signal_norm in fit.json changed by one flipped bit. */
function resultOffsets(index: string): number[] {
  const buf = readFileSync(index);
  const out: number[] = [];
  for (let at = buf.indexOf('Signal_norm'); at >= 0; at = buf.indexOf('Signal_norm', at + 1)) out.push(at);
  return out;
}

/** What a fault may do besides damaging the cache: run the graph (interrupted) on it first. */
export interface FaultContext {
  /** The trial's output directory (the re-run writes there too). */
  out: string;
  /** Lines of the clean run's `--ui json` stream (a cold run: where to interrupt one). */
  cleanLines: number;
  run(o?: { args?: string[]; stopAfterLines?: number; signal?: NodeJS.Signals }): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

export interface Fault {
  name: string;
  /** Trials per run of `npm test` (HEPFLOW_FAULT_TRIALS / `npm run faults -- --trials N` override). */
  defaultTrials: number;
  /** Damages the copy of the warm cache in `cache`; says what it did. */
  apply(cache: string, rand: Rand, ctx: FaultContext): Promise<string> | string;
}

export const cacheFaults: Fault[] = [
  {
    name: 'index.mdb: bit flip anywhere',
    defaultTrials: 3,
    apply(cache, rand) {
      const index = join(cache, 'index.mdb');
      const offset = Math.floor(rand() * statSync(index).size);
      const bit = Math.floor(rand() * 8);
      flipBit(index, offset, bit);
      return `bit ${bit} of byte ${offset}`;
    },
  },
  {
    name: 'index.mdb: bit flip in a stored result',
    defaultTrials: 5,
    apply(cache, rand) {
      const index = join(cache, 'index.mdb');
      const offset = pick(resultOffsets(index), rand) + Math.floor(rand() * 300);
      const bit = Math.floor(rand() * 8);
      flipBit(index, offset, bit);
      return `bit ${bit} of byte ${offset}`;
    },
  },
  {
    name: 'index.mdb: bit flip in the meta pages',
    defaultTrials: 2,
    apply(cache, rand) {
      const index = join(cache, 'index.mdb');
      const offset = pick([0, 2048, 4096], rand) + 16 + Math.floor(rand() * 160);
      const bit = Math.floor(rand() * 8);
      flipBit(index, offset, bit);
      return `bit ${bit} of byte ${offset}`;
    },
  },
  {
    name: 'index.mdb: truncated',
    defaultTrials: 3,
    apply(cache, rand) {
      const index = join(cache, 'index.mdb');
      const size = Math.floor(rand() * statSync(index).size);
      truncateSync(index, size);
      return `to ${size} bytes`;
    },
  },
  {
    name: 'blob: bit flip',
    defaultTrials: 3,
    apply(cache, rand) {
      const file = pick(blobFiles(cache), rand);
      const offset = Math.floor(rand() * statSync(file).size);
      flipBit(file, offset, Math.floor(rand() * 8));
      return `${file.slice(cache.length + 1)} byte ${offset}`;
    },
  },
  {
    name: 'blob: truncated',
    defaultTrials: 2,
    apply(cache, rand) {
      const file = pick(blobFiles(cache), rand);
      const size = Math.floor(rand() * statSync(file).size);
      truncateSync(file, size);
      return `${file.slice(cache.length + 1)} to ${size} bytes`;
    },
  },
  {
    name: 'entry: undecodable value',
    defaultTrials: 2,
    async apply(cache, rand) {
      const env = open({ path: join(cache, 'index.mdb'), compression: false, maxDbs: 8 });
      try {
        const entries = env.openDB<Uint8Array, string>({ name: 'entries', encoding: 'binary' });
        const key = pick([...entries.getKeys()] as string[], rand);
        const junk = new Uint8Array(1 + Math.floor(rand() * 64)).map(() => Math.floor(rand() * 256));
        await entries.put(key, junk);
        return `entry ${key.slice(0, 12)} := ${junk.length} random bytes`;
      } finally {
        await env.close();
      }
    },
  },
];
