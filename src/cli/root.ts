// `flow root ls FILE` and `flow root dump FILE --tree T [--branches a,b] [--json]`.
import { UserError } from '../errors.ts';
import { parseCommandArgs } from './parse-args.ts';
import { openRootFile, type RootFile } from '../root/read/file.ts';
import type { BranchInfo } from '../root/read/branch-layout.ts';
import type { TreeReader } from '../root/read/tree-reader.ts';
import { SummaryAccumulator, type ColumnSummary } from '../root/read/summary.ts';
import { histogramDump, isHistogramClass, type HistogramDump } from '../root/read/histogram.ts';

const usage = `usage: flow root ls FILE [--tree T] [--json]
       flow root dump FILE [--tree T] [--branches a,b,Jet_*] [--json] [--chunk N]
       flow root dump FILE --hist NAME[,NAME] [--json]

  ls     keys with their classes; trees with entries and branches with types (--tree: that tree only)
  dump   per-branch count, sum, min, max and first values of a tree (all readable branches
         unless --branches; names may use * and ? wildcards). --json prints
         {"entries": n, "branches": {name: {"type", "jagged", "count", "sum", "min", "max", "first"}},
          "skipped": {name: reason}}
         --hist (or a file without trees): histograms (TH1*, TH2*, TProfile): edges, in-range
         values (TProfile: means), under/overflow, variances (sumw2) where stored; --json prints
         {"histograms": {name: {"class", "entries", "edges", "values", ...}}}
FILE is a local path, an https:// URL or a root:// (XRootD) URL; trees are TTrees or RNTuples.`;

const treeClasses = new Set(['TTree', 'TNtuple', 'TNtupleD']);

export async function main(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(usage);
    return sub ? 0 : 2;
  }
  const { values, positionals } = parseCommandArgs(`root ${sub}`, rest, {
    tree: { type: 'string', short: 't' }, branches: { type: 'string', short: 'b' },
    json: { type: 'boolean' }, chunk: { type: 'string' }, hist: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) { console.log(usage); return 0; }
  if (sub !== 'ls' && sub !== 'dump') throw new UserError(`flow root: unknown subcommand '${sub}' (ls, dump)`);
  if (positionals.length !== 1) throw new UserError(`flow root ${sub}: expected one FILE, got ${positionals.length}`);
  const file = await openRootFile(positionals[0]!);
  try {
    if (sub === 'ls') await list(file, values.tree, !!values.json);
    else if (values.hist !== undefined || (values.tree === undefined && !hasTree(file))) await dumpHistograms(file, values.hist, !!values.json);
    else await dump(file, values.tree, values.branches, !!values.json, values.chunk);
  } finally {
    await file.close();
  }
  return 0;
}

async function list(file: RootFile, tree: string | undefined, json: boolean): Promise<void> {
  let keys = file.keys();
  if (tree !== undefined) {
    const name = tree.replace(/;\d+$/, '');
    keys = keys.filter((k) => k.path === name && (treeClasses.has(k.className) || k.className.includes('RNTuple')));
    if (keys.length === 0) throw new UserError(`${file.source}: no tree '${tree}' (flow root ls ${file.source} lists its keys)`);
  }
  const trees: Record<string, { entries: number; branches: BranchInfo[] }> = {};
  for (const k of keys) {
    if ((treeClasses.has(k.className) || k.className.includes('RNTuple')) && !trees[k.path]) {
      const t = await file.tree(`${k.path};${k.cycle}`);
      trees[k.path] = { entries: t.entries, branches: t.branches };
    }
  }
  if (json) {
    console.log(JSON.stringify({ file: file.source, keys, trees }));
    return;
  }
  const lines: string[] = [file.source];
  for (const k of keys) {
    lines.push(`  ${k.path};${k.cycle}  ${k.className}`);
    const t = trees[k.path];
    if (!t) continue;
    lines.push(`    ${t.entries} entries, ${t.branches.length} branches`);
    const width = Math.min(40, Math.max(...t.branches.map((b) => b.name.length)));
    for (const b of t.branches) {
      lines.push(`      ${b.name.padEnd(width)}  ${b.typeName}${b.supported ? '' : `  (not readable: ${b.reason})`}`);
    }
  }
  console.log(lines.join('\n'));
}

function hasTree(file: RootFile): boolean {
  return file.keys().some((k) => treeClasses.has(k.className) || k.className.includes('RNTuple'));
}

async function dumpHistograms(file: RootFile, spec: string | undefined, json: boolean): Promise<void> {
  const all = [...new Set(file.keys().filter((k) => isHistogramClass(k.className)).map((k) => k.path))];
  const names = spec === undefined ? all : spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError(`${file.source}: no tree or histogram to dump (flow root ls ${file.source} lists its keys)`);
  const out: Record<string, HistogramDump> = {};
  for (const name of names) {
    const key = file.keys().find((k) => k.path === name.replace(/;\d+$/, ''));
    if (!key || !isHistogramClass(key.className)) {
      throw new UserError(`${file.source}: no histogram '${name}'${key ? ` ('${name}' is a ${key.className})` : ''} (histograms: ${all.join(', ') || 'none'})`);
    }
    out[name] = histogramDump(await file.object(name));
  }
  if (json) {
    console.log(JSON.stringify({ histograms: out }));
    return;
  }
  const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(7));
  const lines = [`${file.source}: ${names.length} histogram${names.length === 1 ? '' : 's'}`];
  for (const [name, h] of Object.entries(out)) {
    const flat = (h.values as Array<number | number[]>).flat();
    const bins = Array.isArray(h.edges[0]) ? (h.edges as number[][]).map((e) => e.length - 1).join('x') : String(h.edges.length - 1);
    const sum = flat.reduce((a, b) => a + b, 0);
    const flow = h.flow !== undefined ? `, outside ${fmt(h.flow)}` : `, underflow ${fmt(h.underflow ?? 0)}, overflow ${fmt(h.overflow ?? 0)}`;
    lines.push(`  ${name}  ${h.class}  ${bins} bins, ${fmt(h.entries)} entries, ${h.class === 'TProfile' ? 'mean of y per bin' : `sum ${fmt(sum)}`}${h.class === 'TProfile' ? '' : flow}${h.variances ? ', sumw2 stored' : ''}`);
    lines.push(`    first: ${flat.slice(0, 8).map(fmt).join(' ')}`);
  }
  console.log(lines.join('\n'));
}

function pickTree(file: RootFile, tree: string | undefined): string {
  if (tree) return tree;
  const trees = [...new Set(file.keys().filter((k) => treeClasses.has(k.className) || k.className.includes('RNTuple')).map((k) => k.path))];
  if (trees.length === 1) return trees[0]!;
  if (trees.length === 0) throw new UserError(`${file.source}: no TTree or RNTuple to dump (flow root ls ${file.source} lists its keys)`);
  throw new UserError(`${file.source}: --tree is required (trees: ${trees.join(', ')})`);
}

function selectBranches(tree: TreeReader, spec: string | undefined): { names: string[]; skipped: Record<string, string> } {
  const skipped: Record<string, string> = {};
  if (!spec) {
    const names: string[] = [];
    for (const b of tree.branches) {
      if (b.supported) names.push(b.name);
      else skipped[b.name] = b.reason ?? 'not supported';
    }
    return { names, skipped };
  }
  const names: string[] = [];
  for (const pattern of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!/[*?]/.test(pattern)) { tree.branch(pattern); names.push(pattern); continue; }
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const hits = tree.branches.filter((b) => re.test(b.name));
    if (!hits.length) throw new UserError(`tree '${tree.name}': no branch matches '${pattern}'`);
    for (const b of hits) {
      if (b.supported) names.push(b.name);
      else skipped[b.name] = b.reason ?? 'not supported';
    }
  }
  return { names: [...new Set(names)], skipped };
}

async function dump(file: RootFile, treeName: string | undefined, spec: string | undefined, json: boolean, chunk: string | undefined): Promise<void> {
  const tree = await file.tree(pickTree(file, treeName));
  const { names, skipped } = selectBranches(tree, spec);
  const chunkEntries = chunk === undefined ? 0 : Number(chunk);
  if (chunk !== undefined && !(Number.isInteger(chunkEntries) && chunkEntries > 0)) throw new UserError(`--chunk must be a positive integer, got '${chunk}'`);
  const acc = new Map(names.map((n) => [n, new SummaryAccumulator()]));
  // about 64 MB of uncompressed values per chunk keeps memory flat on big trees
  const target = chunkEntries || Math.max(1000, Math.floor((64 << 20) / Math.max(1, names.length * 8)));
  for (const range of tree.chunks(target)) {
    const batch = await tree.read(names, range);
    for (const n of names) acc.get(n)!.add(batch.columns[n]!);
  }
  const branches: Record<string, ColumnSummary & { type: string; jagged: boolean; shape?: number[] }> = {};
  for (const n of names) {
    const info = tree.branch(n);
    branches[n] = { type: info.dtype, jagged: info.jagged, ...(info.shape ? { shape: info.shape } : {}), ...acc.get(n)!.result() };
  }
  if (json) {
    console.log(JSON.stringify({ entries: tree.entries, branches, skipped }));
    return;
  }
  // columns as wide as their widest cell, header included ('branch' is wider than 'x')
  const width = Math.min(40, Math.max('branch'.length, ...names.map((n) => n.length), ...Object.keys(skipped).map((n) => n.length)));
  const typeOf = (b: (typeof branches)[string]): string => b.type + (b.jagged ? '[]' : '') + (b.shape ? `[${b.shape.join('][')}]` : '');
  const typeWidth = Math.max(8, ...Object.values(branches).map((b) => typeOf(b).length));
  const fmt = (x: number | null): string => (x === null ? 'nan' : Number.isInteger(x) ? String(x) : x.toPrecision(7));
  const lines = [`${file.source}: tree '${tree.name}', ${tree.entries} entries`,
    `  ${'branch'.padEnd(width)}  ${'type'.padEnd(typeWidth)} ${'count'.padStart(10)} ${'sum'.padStart(14)} ${'min'.padStart(12)} ${'max'.padStart(12)}  first`];
  for (const [n, b] of Object.entries(branches)) {
    lines.push(`  ${n.padEnd(width)}  ${typeOf(b).padEnd(typeWidth)} ${String(b.count).padStart(10)} ${fmt(b.sum).padStart(14)} ${fmt(b.min).padStart(12)} ${fmt(b.max).padStart(12)}  ${b.first.map(fmt).join(' ')}`);
  }
  for (const [n, why] of Object.entries(skipped)) lines.push(`  ${n.padEnd(width)}  skipped: ${why}`);
  console.log(lines.join('\n'));
}
