// Type-level checks of the public graph API as a graph imports it (`from 'hepflow'`, resolved to the
// sources by the `hepflow-source` condition), compiled by `npm run typecheck` (never run). Each
// `@ts-expect-error` fails the type-check if the line it marks stops being an error.
import { graph, defineNodeKind, regular, z, type Handle } from 'hepflow';
import { agcAxes } from 'hepflow/analysis';
import { fit } from 'hepflow/stats';
import { plotKind } from 'hepflow/nodes';

// defineNodeKind infers its params from the zod schema (no annotation on `p`) and keeps the output
// artifact type literal
const scale = defineNodeKind({
  kind: 'scale',
  level: 'global',
  version: '1',
  params: z.object({ factor: z.number().default(2), label: z.string().optional() }),
  inputs: ['Json'],
  output: 'Json',
  run(inputs: [number], p) {
    const f: number = p.factor;
    // @ts-expect-error `label` may be undefined
    const l: string = p.label;
    // @ts-expect-error `factr` is not a param
    void p.factr;
    return inputs[0] * f + (l ? 1 : 0);
  },
  writeOutputs(value, p, ctx) {
    const v: number = value;
    return ctx.writeFile(`${p.factor}.json`, JSON.stringify(v));
  },
});
const perChunk = defineNodeKind({
  kind: 'entries',
  level: 'chunk',
  version: '1',
  params: z.object({ offset: z.number().default(0) }),
  inputs: ['EventChunks'],
  output: 'Json',
  runChunk: (input, p) => (input?.entries ?? 0) + p.offset,
  reduce: { combine: (a: number, b: number) => a + b },
});

export default graph('api-checks', { params: z.object({ lumi: z.number().default(1000) }) }, (g, p) => {
  const files = g.fetch('inputs', { files: 'x.root' });
  const events = g.skim('skim', files, { tree: 'Events', branches: ['nJet', 'Jet_pt'] });
  // fill: `h` has exactly the booked histograms, `options` its own type
  g.fill('fill', events, {
    histograms: { Signal_region: [regular(2, 0, 1, { name: 'x' })], Control: agcAxes(2, 0, 1) },
    fill: (_ev, h, { options, weight }) => {
      h.Signal_region.fill({ x: [options.lumi * weight] });
      h.Control.fill({ x: [1] });
      // @ts-expect-error not a booked histogram
      h.Signal_regoin.fill({ x: [1] });
      // @ts-expect-error `lumii` is not an option
      void options.lumii;
    },
    options: { lumi: p.lumi },
  });
  g.select('select', events, {
    select: (_ev, { options }) => {
      const cut: number = options.cut;
      // @ts-expect-error `cutt` is not an option
      void options.cutt;
      return { keep: [cut] };
    },
    options: { cut: 1 },
  });
  const n: Handle<'Json'> = g.node(scale, 'scaled', [g.node(perChunk, 'entries', [events])], { factor: 3 });
  // @ts-expect-error a Json handle is not Histograms
  const h: Handle<'Histograms'> = g.node(scale, 'scaled2', [n]);
  void h;
  g.node(plotKind(['Histograms']), 'figures', [g.merge('m', [])]);
  void fit;
});
