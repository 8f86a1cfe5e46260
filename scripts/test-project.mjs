// `npm run test:unit` / `npm run test:e2e`: one project of the suite (test/projects.json says which
// files are end to end; every other test file is a unit test). `npm test` runs them all.
//   node scripts/test-project.mjs unit|e2e [node --test options...]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [project, ...rest] = process.argv.slice(2);
if (project !== 'unit' && project !== 'e2e') {
  console.error('usage: node scripts/test-project.mjs unit|e2e [node --test options...]');
  process.exit(2);
}
const { e2e } = JSON.parse(readFileSync(join(root, 'test', 'projects.json'), 'utf8'));
const patterns = e2e.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}\\.test\\.ts$`));
const files = readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts')).sort();
const isE2e = (f) => patterns.some((re) => re.test(f));
for (const p of e2e) if (!files.some((f) => new RegExp(`^${p.replace(/\*/g, '.*')}\\.test\\.ts$`).test(f))) console.error(`test/projects.json: '${p}' matches no test file`);
const chosen = files.filter((f) => (project === 'e2e') === isE2e(f)).map((f) => join('test', f));
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...rest, ...chosen], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
