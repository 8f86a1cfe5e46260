// The PNGs skip the system's fonts when the bundled Arimo has every character of a figure (resvg
// re-reads all system fonts for every figure otherwise). Arimo's coverage is read from its cmap;
// resvg itself (its own font parser) is the reference: it draws ink for exactly the characters
// that coverage says Arimo has, and a figure with a character Arimo lacks still gets its glyph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { covers, fileCoverage, svgTextCharacters } from '../src/plot/font-coverage.ts';
import { rasterise } from '../src/plot/render.ts';

const require = createRequire(import.meta.url);
const ARIMO = require.resolve('@expo-google-fonts/arimo/400Regular/Arimo_400Regular.ttf');
const textSvg = (text: string, family = 'Arimo') =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><text x="5" y="30" font-size="24" font-family="${family}">${text}</text></svg>`;
const ink = (pixels: Uint8Array) => pixels.filter((v, i) => i % 4 === 0 && v < 128).length;

test('Arimo coverage from its cmap agrees with what resvg draws from Arimo alone', async () => {
  const { Resvg } = await import('@resvg/resvg-js');
  const arimo = fileCoverage(ARIMO);
  // Latin, Greek, the symbols of the example labels, and a few Arimo lacks
  const chars = [0x41, 0x7a, 0x3bc, 0x3b8, 0x221a, 0x207b, 0xb9, 0x2113, 0x2192, 0x2297, 0x2200, 0x2713, 0x4e2d];
  const draw = (c: number) => new Resvg(textSvg(String.fromCodePoint(c)), { background: 'white', font: { fontFiles: [ARIMO], loadSystemFonts: false, defaultFontFamily: 'Arimo' } }).render().pixels;
  // a missing glyph is drawn as the font's .notdef box: the same pixels as a code point no font has
  const notdef = draw(0x10fffd);
  for (const c of chars) assert.equal(covers(arimo, c), !draw(c).equals(notdef), `U+${c.toString(16)}`);
  assert.ok(covers(arimo, 0x3bc) && !covers(arimo, 0x2297), 'μ is in Arimo, ⊗ is not');
});

test('the characters of an SVG text: tags dropped, entities decoded, no spaces', () => {
  const got = svgTextCharacters('<svg><text x="1">a &amp; b&#x3bc;&#8730;</text>\n<g/></svg>');
  assert.deepEqual([...got].sort((a, b) => a - b), [0x26, 0x61, 0x62, 0x3bc, 0x221a]);
});

test('a PNG with a character Arimo lacks still draws it (the system fonts are loaded then)', async () => {
  const family = `Arimo, 'DejaVu Sans', sans-serif`;
  const pixels = async (text: string) => Buffer.from((await rasterise(textSvg(text, family), { scale: 1 })).pixels);
  const notdef = await pixels(String.fromCodePoint(0x10fffd));
  assert.ok(!(await pixels('⊗')).equals(notdef), '⊗ drawn from a system font, not as a missing glyph');
  assert.ok(ink(await pixels('x')) > 0 && !(await pixels('x')).equals(notdef));
});
