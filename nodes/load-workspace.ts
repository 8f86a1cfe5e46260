// load-workspace: an existing pyhf workspace.json as a Workspace artifact (validated as pyhf's
// schema 1.0.0; errors name the file and JSON path), so fits, limits, scans and figures run on a
// published or previously built workspace. Volatile: read on every run; an unchanged file leaves
// what follows cached.
import { z } from 'zod';
import { strictParams } from '../src/engine/strict-params.ts';
import { defineNodeKind, type NodeContext } from '../src/engine/node-kind.ts';
import { blobJsonCodec } from '../src/report/blob-codec.ts';
import type { WorkspaceArtifact } from '../src/report/artifacts.ts';

export const params = strictParams({
  /** workspace JSON (relative to the working directory) */
  file: z.string().min(1),
});
type Params = z.infer<typeof params>;

export default defineNodeKind({
  kind: 'load-workspace',
  level: 'global',
  version: '1',
  volatile: true,
  description: 'a pyhf workspace from an existing workspace.json',
  params,
  inputs: [],
  output: 'Workspace',
  codec: blobJsonCodec<WorkspaceArtifact>(),
  async run(_inputs: [], p: Params, ctx: NodeContext): Promise<WorkspaceArtifact> {
    const { readWorkspaceFile } = await import('../src/stats/load.ts');
    const ws = readWorkspaceFile(p.file);
    ctx.log(`${ws.channels.length} channel(s), ${ws.measurements.length} measurement(s) from ${p.file}`);
    return ws;
  },
});
