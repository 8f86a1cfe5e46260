// The workspace file and model a stats command works on (`flow inspect|fit|limit|scan|ranking|templates`),
// loaded on demand: `--help` and a bad flag never load the stats code.
import type { Model } from '../stats/model.ts';
import type { Workspace } from '../stats/workspace.ts';
import type { StatsArgs } from './stats-args.ts';

export async function loadStatsModel(args: StatsArgs): Promise<{ ws: Workspace; model: Model }> {
  const [{ readWorkspaceFile }, { buildModel }] = await Promise.all([import('../stats/load.ts'), import('../stats/model.ts')]);
  const ws = readWorkspaceFile(args.file);
  return { ws, model: buildModel(ws, args.measurement, args.model) };
}
