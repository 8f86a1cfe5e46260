// `npm run bench -- [GROUP|all]... [--json] [--quick|--full] [--markdown FILE]`: runs bench/<group>.ts
// modules (each exports `run({json, quick}) -> [{name, value, unit, note?}]`) and prints one JSON
// object per figure per line with --json, a table otherwise. A group whose module is missing is
// skipped with a note. `all` runs every group at its quick sizes (a few minutes here; --full for the
// default sizes) and writes the markdown table of every figure to bench/results.md (or --markdown
// FILE) and the same figures as data to bench/results.json, from which `node
// scripts/bench-readme.mjs` regenerates the README's performance table.
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { markdownTable, type GroupFigure, type RunAbout } from './markdown.ts';

const GROUPS = ['startup', 'engine', 'root', 'events', 'stats', 'model-size', 'remote', 'scaleout'];
const DEFAULT_MARKDOWN = fileURLToPath(new URL('./results.md', import.meta.url));

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const USAGE = `usage: npm run bench -- [${GROUPS.join('|')}|all]... [--json] [--quick|--full] [--markdown FILE]`;

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const mdAt = argv.indexOf('--markdown');
  if (mdAt >= 0 && (!argv[mdAt + 1] || argv[mdAt + 1]!.startsWith('--'))) {
    console.error(`bench: --markdown needs a file name\n${USAGE}`);
    return 2;
  }
  const asked = argv.filter((a, i) => !a.startsWith('--') && !(mdAt >= 0 && i === mdAt + 1));
  const all = asked.includes('all');
  const unknown = asked.filter((g) => g !== 'all' && !GROUPS.includes(g));
  if (unknown.length) {
    console.error(`bench: unknown group '${unknown[0]}' (groups: ${GROUPS.join(', ')}, or all)`);
    return 2;
  }
  // `all` is the whole picture in a few minutes: every group at its quick sizes unless --full
  const quick = argv.includes('--quick') || (all && !argv.includes('--full'));
  const groups = all || asked.length === 0 ? GROUPS : asked;
  const markdown = mdAt >= 0 ? argv[mdAt + 1]! : all ? DEFAULT_MARKDOWN : undefined;
  let failed = false;
  const rows: GroupFigure[] = [];
  const started = performance.now();
  for (const group of groups) {
    const url = new URL(`./${group}.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) {
      console.error(`bench: bench/${group}.ts does not exist yet; skipping '${group}'`);
      continue;
    }
    try {
      const mod = (await import(url.href)) as { run?: (o: { json: boolean; quick: boolean }) => Promise<Figure[]> };
      if (typeof mod.run !== 'function') throw new Error(`bench/${group}.ts exports no run()`);
      for (const f of await mod.run({ json, quick })) {
        if (json) console.log(JSON.stringify(f));
        rows.push({ ...f, group });
      }
    } catch (err) {
      failed = true;
      console.error(`bench: group '${group}' failed: ${(err as Error).stack ?? err}`);
    }
  }
  if (!json && rows.length) {
    const w = Math.max(...rows.map((r) => r.name.length));
    // 4 significant digits: timings carry float noise like 0.0015322509999999739
    const show = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(4));
    const v = Math.max(...rows.map((r) => show(r.value).length));
    for (const r of rows) console.log(`${r.name.padEnd(w)}  ${show(r.value).padStart(v)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
  }
  if (markdown && rows.length) {
    const machine = `${availableParallelism()} cores, Node ${process.versions.node}, load average ${loadavg()[0]!.toFixed(1)} at the end`;
    const how = `\`npm run bench -- ${all ? 'all' : groups.join(' ')}${quick && !all ? ' --quick' : ''}${!quick && all ? ' --full' : ''}\`${quick ? ' (quick sizes)' : ''}`;
    const about: RunAbout = { how, machine, date: new Date().toISOString(), seconds: Math.round((performance.now() - started) / 1000) };
    writeFileSync(markdown, markdownTable(rows, about));
    // the same figures as data, for scripts/bench-readme.mjs
    const data = markdown.replace(/(\.md)?$/, '.json');
    writeFileSync(data, `${JSON.stringify({ about, figures: rows }, null, 1)}\n`);
    console.error(`bench: ${rows.length} figures written to ${markdown} and ${data}`);
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
