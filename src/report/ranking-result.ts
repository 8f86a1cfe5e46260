// A ranking node's result (Json artifact: `flow ranking --json`'s keys) as a plot input: its table
// goes into report.html, its figure among the others.
import type { RankingJson } from '../stats/infer/ranking.ts';

export type RankingResult = RankingJson & { measurement?: string; svg?: string };

export function isRankingResult(v: unknown): v is RankingResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<RankingJson>;
  return typeof r.poi === 'string' && typeof r.poi_bestfit === 'number' && Array.isArray(r.parameters);
}
