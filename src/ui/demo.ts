// Look at the run UIs without an engine: a scripted AGC-like run replayed in real time.
//   node src/ui/demo.ts [ink|plain|json] [--fail] [--speed X] [--chunks N] [--cached N]
import { fakeRunSchedule, replay } from './fake-run.ts';
import { attachUi, UI_MODES, type UiMode } from './index.ts';

const args = process.argv.slice(2);
const mode = (args.find((a) => !a.startsWith('--') && UI_MODES.includes(a as UiMode)) ?? 'ink') as UiMode;
const option = (name: string, fallback: number, min = Number.MIN_VALUE): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v >= min ? v : fallback;
};
const schedule = fakeRunSchedule({ fail: args.includes('--fail'), chunks: option('--chunks', 120), cachedChunks: option('--cached', 30, 0) });
await attachUi(replay(schedule, option('--speed', 1)), mode).done;
