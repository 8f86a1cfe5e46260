// Named histograms drop (process, variation) pairs that were never filled in any region.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hist, emptyArtifact, namedHistograms, regular, strCategory, toData } from '../src/hist/index.ts';

test('a variation filled for one process only is not written as all-zero histograms of the others', () => {
  const h = new Hist([regular(2, 0, 2, { name: 'observable' }), strCategory(['4j1b', '4j2b'], { name: 'region' }), strCategory([], { name: 'process', growth: true }), strCategory([], { name: 'variation', growth: true })]);
  h.fill({ observable: [0.5], region: '4j1b', process: 'ttbar', variation: 'nominal' }, 1);
  h.fill({ observable: [0.5], region: '4j1b', process: 'wjets', variation: 'nominal' }, 1);
  h.fill({ observable: [1.5], region: '4j2b', process: 'ttbar', variation: 'ME_var' }, 2);
  // filled with weight 0 events only: still a filled variation (sum of squared weights 0 too, but
  // a negative and a positive weight leave sumw2 > 0)
  h.fill({ observable: [0.5, 0.5], region: '4j1b', process: 'wjets', variation: 'scale_var_up' }, [1, -1]);
  const a = emptyArtifact();
  a.hists.obs = toData(h);
  // a variation with no content at all (no events passed anywhere) stays: a fit config may use it
  h.fill({ observable: [], region: '4j1b', process: 'ttbar', variation: 'pt_res_up' }, []);
  h.fill({ observable: [], region: '4j1b', process: 'wjets', variation: 'pt_res_up' }, []);
  a.hists.obs = toData(h);
  const names = [...namedHistograms(a).keys()].sort();
  assert.deepEqual(names, [
    '4j1b_ttbar', '4j1b_ttbar_ME_var', '4j1b_ttbar_pt_res_up', '4j1b_wjets', '4j1b_wjets_pt_res_up', '4j1b_wjets_scale_var_up',
    '4j2b_ttbar', '4j2b_ttbar_ME_var', '4j2b_ttbar_pt_res_up', '4j2b_wjets', '4j2b_wjets_pt_res_up', '4j2b_wjets_scale_var_up',
  ]);
});
