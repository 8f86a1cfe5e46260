// Figures for talks, drawn by jsroot as ROOT would draw them: SVG, plus PNG through resvg.
export { stackPlot, type StackPlotSpec } from './stack.ts';
export { pullsPlot, type PullsSpec } from './pulls.ts';
export { correlationPlot, type CorrelationSpec } from './correlation.ts';
export { brazilPlot, type BrazilSpec } from './brazil.ts';
export { renderSvg, svgToPng, rasterise, type Raster } from './render.ts';
export { svgToPdf } from './pdf.ts';
export { type ExperimentLabel, DEFAULT_EXPERIMENT } from './label.ts';
