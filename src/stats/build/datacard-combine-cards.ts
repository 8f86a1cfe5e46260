// combineCards.py in TypeScript: several cards -> one, each card's channels renamed to its label
// (`label` for a one-channel card, `label_channel` otherwise), nuisances merged by name, process
// ids reassigned consistently (signal <= 0), per-card `*` directives expanded to that card's channels.
import { UserError } from '../../errors.ts';
import { withCountedSizes } from './datacard-model.ts';
import type { Datacard, DatacardEffect, DatacardUncertainty, UncertaintyType } from './datacard-model.ts';

function mergedType(a: UncertaintyType, b: UncertaintyType, name: string, cards: [string, string]): UncertaintyType {
  if (a === b) return a;
  const pair = new Set([a.replace('?', ''), b.replace('?', '')]);
  // a nuisance that is lnN in one card and shape in another: shape where templates exist
  if (pair.size === 2 && pair.has('lnN') && pair.has('shape')) return 'shape?';
  if (pair.size === 1) return `${[...pair][0]}?` as UncertaintyType;
  throw new UserError(`combining datacards: nuisance "${name}" is ${a} in card "${cards[0]}" and ${b} in card "${cards[1]}"`);
}

/** Combines labelled cards into one (the model of `combineCards.py A=a.txt B=b.txt`). */
export function combineDatacards(cards: ReadonlyArray<{ label: string; card: Datacard }>): Datacard {
  if (cards.length === 0) throw new UserError('combining datacards: no cards given');
  const out: Datacard = {
    imax: '*', jmax: '*', kmax: '*', shapes: [], bins: [], observations: [], columns: [],
    uncertainties: [], rateParams: [], params: [], autoMCStats: [], groups: [], other: [],
  };
  const labels = new Set<string>();
  const isSignal = new Map<string, boolean>();
  for (const { card } of cards) for (const c of card.columns) isSignal.set(c.process, (isSignal.get(c.process) ?? false) || c.id <= 0);
  const ids = new Map<string, number>();
  let nextSignal = 0;
  let nextBackground = 1;
  for (const [process, signal] of isSignal) ids.set(process, signal ? nextSignal-- : nextBackground++);

  const byName = new Map<string, { u: DatacardUncertainty; effects: Array<DatacardEffect | null>; card: string }>();
  for (const { label, card } of cards) {
    if (labels.has(label)) throw new UserError(`combining datacards: label "${label}" used twice`);
    labels.add(label);
    if (card.observations === null) throw new UserError(`combining datacards: card "${label}" has no observation line`);
    const rename = (bin: string): string => (card.bins.length === 1 ? label : `${label}_${bin}`);
    const renameOrExpand = (bin: string): string[] => (bin === '*' ? card.bins.map(rename) : [rename(bin)]);
    for (const s of card.shapes) for (const channel of renameOrExpand(s.channel)) out.shapes.push({ ...s, channel });
    out.bins.push(...card.bins.map(rename));
    out.observations!.push(...card.observations);
    const offset = out.columns.length;
    out.columns.push(...card.columns.map((c) => ({ ...c, bin: rename(c.bin), id: ids.get(c.process)! })));
    for (const u of card.uncertainties) {
      let entry = byName.get(u.name);
      if (entry === undefined) {
        entry = { u: { name: u.name, type: u.type, ...(u.gmN !== undefined ? { gmN: u.gmN } : {}), effects: [] }, effects: [], card: label };
        byName.set(u.name, entry);
      } else {
        entry.u.type = mergedType(entry.u.type, u.type, u.name, [entry.card, label]);
        if (u.gmN !== entry.u.gmN) throw new UserError(`combining datacards: gmN "${u.name}" has ${entry.u.gmN} events in card "${entry.card}" and ${u.gmN} in card "${label}"`);
      }
      u.effects.forEach((e, k) => (entry.effects[offset + k] = e));
    }
    for (const r of card.rateParams) for (const bin of renameOrExpand(r.bin)) out.rateParams.push({ ...r, bin });
    for (const a of card.autoMCStats) for (const channel of renameOrExpand(a.channel)) out.autoMCStats.push({ ...a, channel });
    for (const p of card.params) if (!out.params.some((q) => q.name === p.name)) out.params.push(p);
    for (const g of card.groups) {
      const existing = out.groups.find((x) => x.name === g.name);
      if (existing === undefined) out.groups.push({ name: g.name, members: [...g.members] });
      else for (const m of g.members) if (!existing.members.includes(m)) existing.members.push(m);
    }
    for (const o of card.other) if (!out.other.includes(o)) out.other.push(o);
  }
  if (out.shapes.length > 0) {
    // counting channels next to shape channels: Combine's FAKE shapes
    for (const bin of out.bins) {
      if (!out.shapes.some((s) => s.channel === bin)) out.shapes.push({ process: '*', channel: bin, file: 'FAKE', histogram: '' });
    }
  }
  const n = out.columns.length;
  out.uncertainties = [...byName.values()].map(({ u, effects }) => ({ ...u, effects: Array.from({ length: n }, (_, k) => effects[k] ?? null) }));
  return withCountedSizes(out);
}
