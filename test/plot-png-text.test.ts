// The PNGs draw ROOT-LaTeX as the SVGs lay it out: jsroot places each piece of a TLatex (base text,
// sub/superscript, the axis exponent) at an offset computed from Arial's advance widths. Each
// label below is rasterised as jsroot wrote it and, as the reference, as one <text> whose pieces
// are <tspan>s that the rasteriser itself lays out with the font's real advances. The gap between
// the base's ink and the script's ink must agree: with a font of other widths the script lands
// inside the base (the `x10^3` exponent on the 0, `p_{T}`'s T on the p).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jsroot from 'jsroot';
import { rasterise, renderSvg, type Raster } from '../src/plot/index.ts';

interface Piece {
  text: string;
  size: number;
  x: number;
  y: number;
}

/** The first group of jsroot's SVG whose direct children are <text> pieces starting with `first`. */
function latexPieces(svg: string, first: string): Piece[] {
  const group = new RegExp(`<g transform="translate\\([^)]*\\)">(<text[^>]*>${first}</text>(?:<text[^>]*>[^<]*</text>)+)</g>`).exec(svg);
  assert.ok(group, `no TLatex group starting with '${first}' in the SVG`);
  return [...group[1]!.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map(([, attrs, text]) => {
    const size = Number(/font-size="([\d.]+)"/.exec(attrs!)?.[1]);
    const t = /translate\(([-\d.]+)(?:,([-\d.]+))?\)/.exec(attrs!);
    const x = Number(/\bx="([-\d.]+)"/.exec(attrs!)?.[1] ?? t?.[1] ?? 0);
    return { text: text!, size, x, y: Number(t?.[2] ?? 0) };
  });
}

const FONT = `font-family="Arial, Helvetica, 'Liberation Sans', Arimo, 'DejaVu Sans', sans-serif"`;
const frame = (body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80"><g ${FONT} transform="translate(40,50)">${body}</g></svg>`;
const colour = (i: number): string => (i === 1 ? 'red' : 'black');

/** jsroot's layout: each piece at its own offset (piece 1, the script, in red). */
function asJsroot(pieces: Piece[]): string {
  return frame(pieces.map((p, i) => `<text fill="${colour(i)}" font-size="${p.size}" transform="translate(${p.x},${p.y})">${p.text}</text>`).join(''));
}

/** The reference: the rasteriser advances from piece to piece itself. */
function asFlow(pieces: Piece[]): string {
  let y = 0;
  const spans = pieces.map((p, i) => {
    const span = `<tspan fill="${colour(i)}" font-size="${p.size}" dy="${p.y - y}">${p.text}</tspan>`;
    y = p.y;
    return span;
  });
  return frame(`<text>${spans.join('')}</text>`);
}

/** Columns with ink of one colour: [first, last] x, in pixels. */
function inkColumns(img: Raster, red: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = 4 * (y * img.width + x);
      const [r, g, b] = [img.pixels[o]!, img.pixels[o + 1]!, img.pixels[o + 2]!];
      const ink = red ? r > 150 && g < 110 && b < 110 : r < 110 && g < 110 && b < 110;
      if (ink) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
  }
  assert.ok(lo <= hi, `no ${red ? 'red' : 'black'} ink`);
  return [lo, hi];
}

/** Pixels from the end of the base's ink to the start of the script's ink. */
async function scriptGap(svg: string): Promise<number> {
  const img = await rasterise(svg, { scale: 2 });
  return inkColumns(img, true)[0] - inkColumns(img, false)[1];
}

async function labelsSvg(): Promise<string> {
  const h = jsroot.createHistogram('TH1F', 10);
  for (let i = 1; i <= 10; i++) h.setBinContent(i, 15_000 * i); // a y axis drawn with a x10^3 exponent
  h.fXaxis.fTitle = 'p_{T} [GeV]';
  return renderSvg(h);
}

for (const [label, first] of [['the axis exponent x10^3', '×10'], ['the subscript of p_{T}', 'p']] as const) {
  test(`PNG text: ${label} sits where the font's own layout puts it`, async () => {
    const pieces = latexPieces(await labelsSvg(), first).slice(0, 2);
    assert.equal(pieces.length, 2);
    assert.ok(pieces[1]!.size < pieces[0]!.size, 'the second piece is a script (smaller)');
    const drawn = await scriptGap(asJsroot(pieces));
    const reference = await scriptGap(asFlow(pieces));
    assert.ok(drawn > 0, `the script's ink overlaps the base's (gap ${drawn} px)`);
    assert.ok(Math.abs(drawn - reference) <= 3, `gap ${drawn} px as drawn vs ${reference} px laid out by the font`);
  });
}
