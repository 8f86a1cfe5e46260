// Cookbook: a systematic variation: the same events filled at nominal and with the muon momentum
// scale shifted up and down, on a `variation` axis (cabinetry's naming: `{region}_{sample}_{variation}`).
//   npm run flow -- run docs/cookbook/systematic-variation.ts
import { graph, z, regular, strCategory, P4s, identityOffsets } from '../../src/index.ts';

export default graph('systematic-variation', { params: z.object({
  file: z.string().default('../shared/data/root/uproot-Zmumu.root'),
  /** Relative muon momentum scale uncertainty. */
  scale: z.number().positive().default(0.01),
}) }, (g, p) => {
  const files = g.fetch('inputs', { samples: { zmumu: [p.file] } });
  const pairs = g.skim('pairs', files, { tree: 'events', branches: ['E1', 'px1', 'py1', 'pz1', 'E2', 'px2', 'py2', 'pz2'] });
  g.fill('mass', pairs, {
    histograms: { mumu: [regular(60, 60, 120, { name: 'mass' }), strCategory([], { name: 'process', growth: true }), strCategory(['nominal', 'scale_up', 'scale_down'], { name: 'variation' })] },
    normalise: 'none',
    options: { scale: p.scale },
    fill: (ev, h, ctx) => {
      const one = identityOffsets(ev.entries);
      const m = P4s.fromPxPyPzE(one, ev.col('px1'), ev.col('py1'), ev.col('pz1'), ev.col('E1'))
        .add(P4s.fromPxPyPzE(one, ev.col('px2'), ev.col('py2'), ev.col('pz2'), ev.col('E2'))).mass();
      const s = ctx.options.scale as number;
      const process = ctx.sample.process;
      h.mumu.fill({ mass: m.content, process, variation: 'nominal' });
      h.mumu.fill({ mass: m.mul(1 + s).content, process, variation: 'scale_up' });   // a mass scales with the momenta
      h.mumu.fill({ mass: m.mul(1 - s).content, process, variation: 'scale_down' });
    },
    output: { json: 'systematic-variation.json', root: 'systematic-variation.root' },
  });
});
