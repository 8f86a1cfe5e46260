// Per (graph, node): what the last successful run of the node was made of (key parts and output
// hash), kept in the store, to say why a node recomputes and whether its output came out unchanged.
import type { Store } from '../../cache/types.ts';
import type { RecomputeReason } from './events.ts';
import { recordKey, type NodeBase } from './keys.ts';

export interface NodeRecord {
  version: string;
  params: string;
  code: string;
  inputs: string;
  output: string;
}

export class NodeRecords {
  private readonly read = new Map<string, NodeRecord | undefined>();

  private readonly store: Store | null;
  private readonly graph: string;

  constructor(store: Store | null, graph: string) {
    this.store = store;
    this.graph = graph;
  }

  get(name: string): NodeRecord | undefined {
    if (!this.read.has(name)) this.read.set(name, this.store?.get(recordKey(this.graph, name))?.meta as NodeRecord | undefined);
    return this.read.get(name);
  }

  /** The node's own key part that changed ('new' without a record), or undefined. */
  ownReason(name: string, b: NodeBase): RecomputeReason | undefined {
    const rec = this.get(name);
    if (!rec) return 'new';
    if (rec.version !== b.version) return 'version';
    if (rec.params !== b.params) return 'params';
    if (rec.code !== b.code) return 'code';
    return undefined;
  }

  /** Why a node recomputes when its own parts did not change: its inputs did ('new' when the
   *  record shows the same inputs: the entry was evicted). */
  reason(name: string, b: NodeBase, inputsHash?: string): RecomputeReason {
    return this.ownReason(name, b) ?? (inputsHash === undefined || this.get(name)!.inputs !== inputsHash ? 'input' : 'new');
  }

  async write(name: string, b: NodeBase, inputs: string, output: string): Promise<void> {
    const rec: NodeRecord = { version: b.version, params: b.params, code: b.code, inputs, output };
    const old = this.get(name);
    if (!this.store || (old && canonical(old) === canonical(rec))) return;
    await this.store.put({ key: recordKey(this.graph, name), label: { graph: this.graph, node: name, kind: 'record' }, meta: rec, payloads: [] });
  }
}

function canonical(r: NodeRecord): string {
  return `${r.version}|${r.params}|${r.code}|${r.inputs}|${r.output}`;
}
