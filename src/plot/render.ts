// SVG from jsroot, PNG from the SVG with resvg (no canvas/cairo dependency: it cannot install here).
import * as jsroot from 'jsroot';
import { applyStyle } from './root-objects.ts';

export interface Figure {
  name: string;
  svg: string;
}

export async function renderSvg(object: unknown, size: { width: number; height: number } = { width: 800, height: 600 }): Promise<string> {
  applyStyle();
  const svg: string = await jsroot.makeSVG({ object, width: size.width, height: size.height });
  // jsroot names ROOT's font 42 "Arial"; give renderers without Arial a sans-serif fallback.
  return svg.replaceAll('font-family="Arial"', 'font-family="Arial, Helvetica, \'Liberation Sans\', \'DejaVu Sans\', sans-serif"');
}

export async function svgToPng(svg: string, opts: { scale?: number } = {}): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: opts.scale ?? 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
  return r.render().asPng();
}
