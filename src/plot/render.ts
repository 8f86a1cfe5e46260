// SVG from jsroot, PNG from the SVG with resvg (no canvas/cairo dependency: it cannot install here).
//
// Text in the PNG: without a browser, jsroot lays out TLatex (sub/superscripts, `x10^3` exponents,
// hats) from Arial's advance widths and places every piece at a computed offset. A rasteriser with a
// wider font (DejaVu Sans, the usual fallback) then draws the pieces into each other. So the PNG is
// rendered with Arimo, a font metric-compatible with Arial (shipped as an npm package, no system
// fonts needed), and the layout matches. The SVG keeps Arial first for viewers that have it.
import { createRequire } from 'node:module';
import * as jsroot from 'jsroot';
import { applyStyle } from './root-objects.ts';

const FONT_FAMILY = `font-family="Arial, Helvetica, 'Liberation Sans', Arimo, 'DejaVu Sans', sans-serif"`;
/** The families of the PNG: Arimo's metrics are the ones jsroot's layout assumed. */
const PNG_FONT_FAMILY = `font-family="Arimo, 'DejaVu Sans', sans-serif"`;
const ARIMO_STYLES = ['400Regular', '700Bold', '400Regular_Italic', '700Bold_Italic'];

let fontFiles: string[] | undefined;
/** Arimo's TrueType files from the installed package: regular, bold, italic, bold italic (missing
 *  files are skipped: resvg falls back). */
export function arimoFiles(): string[] {
  if (fontFiles) return fontFiles;
  const require = createRequire(import.meta.url);
  fontFiles = [];
  for (const style of ARIMO_STYLES) {
    try {
      fontFiles.push(require.resolve(`@expo-google-fonts/arimo/${style}/Arimo_${style}.ttf`));
    } catch {
      // not installed: the PNG uses the system's sans-serif font
    }
  }
  return fontFiles;
}

export interface Figure {
  name: string;
  svg: string;
}

export async function renderSvg(object: unknown, size: { width: number; height: number } = { width: 800, height: 600 }): Promise<string> {
  applyStyle();
  const svg: string = await jsroot.makeSVG({ object, width: size.width, height: size.height });
  // jsroot names ROOT's font 42 "Arial"; give renderers without Arial a sans-serif fallback.
  return svg.replaceAll('font-family="Arial"', FONT_FAMILY);
}

export interface Raster {
  width: number;
  height: number;
  /** RGBA, row by row */
  pixels: Uint8Array;
}

/** Rasterises an SVG as the PNGs are made (same fonts, same scale). */
export async function rasterise(svg: string, opts: { scale?: number } = {}): Promise<Raster> {
  const img = (await resvgOf(svg, opts.scale)).render();
  return { width: img.width, height: img.height, pixels: img.pixels };
}

export async function svgToPng(svg: string, opts: { scale?: number } = {}): Promise<Uint8Array> {
  return (await resvgOf(svg, opts.scale)).render().asPng();
}

async function resvgOf(svg: string, scale = 1.5): Promise<import('@resvg/resvg-js').Resvg> {
  const { Resvg } = await import('@resvg/resvg-js');
  const files = arimoFiles();
  const family = files.length ? 'Arimo' : 'DejaVu Sans';
  const text = svg.replaceAll(FONT_FAMILY, PNG_FONT_FAMILY).replaceAll('font-family="Arial"', PNG_FONT_FAMILY);
  const font = { fontFiles: files, loadSystemFonts: true, defaultFontFamily: family, sansSerifFamily: family };
  return new Resvg(text, { background: 'white', fitTo: { mode: 'zoom', value: scale }, font });
}
