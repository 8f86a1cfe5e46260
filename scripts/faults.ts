// `npm run faults -- [--table] [--trials N] [--workers N] [--only TEXT]`: the fault harness of
// `npm test` (test/faults/harness.ts) by hand, printing its markdown table (the README's) on stdout
// and each trial's outcome on stderr. Exit 1 when a trial gave a wrong output or a crash.
import { parseArgs } from 'node:util';
import { markdownTable, runHarness } from '../test/faults/harness.ts';

const { values } = parseArgs({
  options: { table: { type: 'boolean', default: true }, trials: { type: 'string' }, workers: { type: 'string', default: '0' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: npm run faults -- [--table] [--trials N] [--workers N] [--only TEXT]');
  process.exit(0);
}
const trials = values.trials === undefined ? undefined : Number(values.trials);
if (trials !== undefined && !(Number.isInteger(trials) && trials > 0 && trials <= 100)) {
  console.error(`faults: --trials: expected an integer from 1 to 100, got "${values.trials}"`);
  process.exit(2);
}
const { rows, failures } = await runHarness({
  ...(trials ? { trials } : {}), workers: values.workers, ...(values.only ? { only: values.only } : {}),
  onTrial: (fault, what, outcome) => console.error(`${fault} (${what}): ${outcome}`),
});
console.log(markdownTable(rows));
for (const f of failures) console.error(`  ${f}`);
process.exit(rows.some((r) => r.wrong + r.crashes > 0) ? 1 : 0);
