// Writes a generated sample to a ROOT file, streaming: one chunk of columns in memory at a time.
import fs from 'node:fs';
import { createRootFile, type BranchSpec, type Compression } from '../root/write/index.ts';
import type { ColumnBatch } from '../columns.ts';
import { generateNanoAODSync, nanoaodSchema, nanoaodProcesses, nanoaodCrossSections, type NanoAODProcess, type TtbarVariation } from './nanoaod.ts';
import { generateAtlas4lepSync, atlas4lepSchema, atlas4lepProcesses, atlas4lepSamples, type Atlas4lepProcess } from './atlas4lep.ts';

export const sampleKinds = {
  nanoaod: { tree: 'Events', title: 'Events', processes: nanoaodProcesses as readonly string[], defaultProcess: 'ttbar' },
  atlas4lep: { tree: 'mini', title: '4lep', processes: atlas4lepProcesses as readonly string[], defaultProcess: 'signal' },
} as const;
export type SampleKind = keyof typeof sampleKinds;

export interface WriteSampleOptions {
  kind: SampleKind;
  out: string;
  events: number;
  seed?: number;
  process?: string;
  /** nanoaod ttbar only: nominal | scaleup | scaledown | ME_var | PS_var. */
  variation?: string;
  compression?: Compression;
  /** Entries per TTree cluster; default 100000. */
  clusterEntries?: number;
  /** Called after each written chunk. */
  onProgress?: (eventsDone: number, eventsTotal: number) => void;
}

export interface WriteSampleResult {
  events: number;
  bytes: number;
  seconds: number;
  tree: string;
  process: string;
  seed: number;
  variation?: string;
  /** Cross section in pb (approximate) for fileset metadata; undefined for data. */
  xsec?: number;
}

function crossSection(kind: SampleKind, process: string): number | undefined {
  if (process === 'data') return undefined;
  if (kind === 'nanoaod') return nanoaodCrossSections[process as Exclude<NanoAODProcess, 'data'>];
  const sample = process === 'signal' ? 'ggH' : process === 'zjets' ? 'zee' : process;
  return atlas4lepSamples[sample as keyof typeof atlas4lepSamples]?.xsec;
}

export async function writeSample(opts: WriteSampleOptions): Promise<WriteSampleResult> {
  const kind = sampleKinds[opts.kind];
  const process = opts.process ?? kind.defaultProcess;
  if (!kind.processes.includes(process)) throw new RangeError(`unknown ${opts.kind} process '${process}' (one of ${kind.processes.join(', ')})`);
  if (!Number.isInteger(opts.events) || opts.events < 0) throw new RangeError(`events must be a non-negative integer, got ${opts.events}`);
  const t0 = performance.now();
  let schema: BranchSpec[];
  let batches: Iterable<ColumnBatch>;
  if (opts.kind === 'nanoaod') {
    schema = nanoaodSchema(process as NanoAODProcess);
    batches = generateNanoAODSync({ events: opts.events, seed: opts.seed, process: process as NanoAODProcess, variation: opts.variation as TtbarVariation | undefined });
  } else {
    if (opts.variation !== undefined) throw new RangeError('variations exist for nanoaod ttbar only');
    schema = atlas4lepSchema();
    batches = generateAtlas4lepSync({ events: opts.events, seed: opts.seed, process: process as Atlas4lepProcess });
  }
  const file = await createRootFile(opts.out, { compression: opts.compression });
  try {
    const tree = file.createTree(kind.tree, schema, { title: kind.title, clusterEntries: opts.clusterEntries });
    let done = 0;
    for (const batch of batches) {
      await tree.append(batch);
      done += batch.entries;
      opts.onProgress?.(done, opts.events);
    }
  } catch (err) {
    file.abort();
    throw err;
  }
  await file.close();
  return {
    events: opts.events, bytes: fs.statSync(opts.out).size, seconds: (performance.now() - t0) / 1000, tree: kind.tree, process,
    seed: opts.seed ?? 1, variation: opts.variation, xsec: crossSection(opts.kind, process),
  };
}
