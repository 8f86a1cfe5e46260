// Template histograms from ROOT files (TH1 objects, e.g. the seeds' histograms.root) via jsroot.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../../errors.ts';
import { loadCabinetryConfig } from './cabinetry-config.ts';
import type { CabinetryConfig } from './cabinetry-config.ts';
import { requiredTemplates, templateLocation } from './template-histograms.ts';
import { wantedBy } from './config-lines.ts';
import type { TemplateHistogram, TemplateRef } from './template-histograms.ts';

interface JsrootAxis { fNbins: number; fXmin: number; fXmax: number; fXbins?: ArrayLike<number> }
interface JsrootTH1 { _typename: string; fXaxis: JsrootAxis; fArray: ArrayLike<number>; fSumw2?: ArrayLike<number> }
interface JsrootKey { fName: string; fClassName: string; fCycle: number }
interface JsrootFile { fKeys: JsrootKey[]; readObject(name: string): Promise<unknown> }

async function openRootFile(path: string): Promise<JsrootFile> {
  if (!existsSync(path)) throw new UserError(`cannot open ROOT file ${path}: no such file`);
  const jsroot = (await import('jsroot')) as unknown as { openFile(p: string): Promise<JsrootFile | null> };
  let file: JsrootFile | null;
  try {
    file = await jsroot.openFile(path);
  } catch (err) {
    throw new UserError(`cannot open ROOT file ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (file === null) throw new UserError(`cannot open ROOT file ${path}`);
  return file;
}

const isTH1 = (className: string): boolean => /^TH1[DFIS]?$/.test(className) || className === 'TH1';

/** TH1 -> in-range bins; variances from fSumw2, or the contents when Sumw2 was never enabled. */
export function th1ToTemplate(h: JsrootTH1, what: string): TemplateHistogram {
  const axis = h.fXaxis;
  const n = axis.fNbins;
  if (!(h.fArray.length >= n + 2)) throw new UserError(`${what}: ${h._typename} has ${h.fArray.length} cells for ${n} bins`);
  let edges: Float64Array;
  if (axis.fXbins !== undefined && axis.fXbins.length === n + 1) {
    edges = Float64Array.from(axis.fXbins);
  } else {
    edges = new Float64Array(n + 1);
    const width = (axis.fXmax - axis.fXmin) / n;
    for (let i = 0; i <= n; i++) edges[i] = axis.fXmin + i * width;
    edges[n] = axis.fXmax;
  }
  const values = new Float64Array(n);
  const variances = new Float64Array(n);
  const sumw2 = h.fSumw2 !== undefined && h.fSumw2.length >= n + 2 ? h.fSumw2 : null;
  for (let i = 0; i < n; i++) {
    values[i] = h.fArray[i + 1]!;
    variances[i] = sumw2 === null ? Math.abs(h.fArray[i + 1]!) : sumw2[i + 1]!;
  }
  return { edges, values, variances };
}

/** Reads the named TH1s (paths inside the file, `dir/name` allowed); all top-level TH1s when
 *  `names` is omitted. Names absent from the file are left out of the map. */
export async function readRootHistograms(path: string, names?: Iterable<string>): Promise<Map<string, TemplateHistogram>> {
  const file = await openRootFile(path);
  const wanted = names === undefined
    ? [...new Set(file.fKeys.filter((k) => isTH1(k.fClassName)).map((k) => k.fName))]
    : [...new Set(names)];
  const out = new Map<string, TemplateHistogram>();
  for (const name of wanted) {
    let obj: unknown;
    try {
      obj = await file.readObject(name);
    } catch {
      continue;
    }
    if (obj === null || obj === undefined) continue;
    const h = obj as JsrootTH1;
    if (typeof h._typename !== 'string' || !h._typename.startsWith('TH1')) {
      throw new UserError(`${path}: object "${name}" is a ${String(h._typename)}, not a TH1`);
    }
    out.set(name, th1ToTemplate(h, `${path}: "${name}"`));
  }
  return out;
}

/** cabinetry's templates.collect: reads every template a config needs from the ROOT files named
 *  in General.InputPath (relative paths against `baseDir`), keyed by object name. */
export async function collectTemplates(config: CabinetryConfig | string | object, opts: { baseDir?: string } = {}): Promise<Map<string, TemplateHistogram>> {
  const cfg = loadCabinetryConfig(config);
  const byFile = new Map<string, Set<string>>();
  const wanting = new Map<string, TemplateRef>();
  const add = (ref: TemplateRef): void => {
    const loc = templateLocation(cfg, ref);
    if (loc.file === '') throw new UserError(`cabinetry config: General.InputPath "${cfg.General.InputPath}" has no "file.root:" part`);
    const file = isAbsolute(loc.file) ? loc.file : resolve(opts.baseDir ?? '.', loc.file);
    let set = byFile.get(file);
    if (set === undefined) byFile.set(file, (set = new Set()));
    set.add(loc.object);
    if (!wanting.has(loc.object)) wanting.set(loc.object, ref);
  };
  for (const ref of requiredTemplates(cfg)) add(ref);
  const out = new Map<string, TemplateHistogram>();
  for (const [file, names] of byFile) {
    // the path came from the config, not from the command line: say so
    if (!existsSync(file)) throw new UserError(`cannot open ROOT file ${file}: no such file (from the config's General.InputPath "${cfg.General.InputPath}")`);
    const hists = await readRootHistograms(file, names);
    for (const name of names) {
      const h = hists.get(name);
      if (h === undefined) throw new UserError(`${file}: missing histogram "${name}" (needed by the cabinetry config)${wantedBy(cfg, wanting.get(name)!)}`);
      if (out.has(name)) throw new UserError(`histogram "${name}" found in more than one input file`);
      out.set(name, h);
    }
  }
  return out;
}
