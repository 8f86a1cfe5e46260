// `npm run bench -- [engine|root|events|stats|scaleout|plot]... [--json] [--quick]`: runs bench/<group>.ts modules
// (each exports `run({json, quick}) -> [{name, value, unit, note?}]`) and prints one JSON object per
// figure per line with --json, a table otherwise. A group whose module is missing is skipped with a note.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GROUPS = ['engine', 'root', 'events', 'stats', 'remote', 'scaleout', 'plot'];

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: npm run bench -- [${GROUPS.join('|')}]... [--json] [--quick]`);
    return 0;
  }
  const asked = argv.filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((g) => !GROUPS.includes(g));
  if (unknown.length) {
    console.error(`bench: unknown group '${unknown[0]}' (groups: ${GROUPS.join(', ')})`);
    return 2;
  }
  const groups = asked.length ? asked : GROUPS;
  let failed = false;
  const rows: Figure[] = [];
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
        rows.push(f);
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
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
