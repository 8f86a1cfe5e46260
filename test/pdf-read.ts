// Just enough of a PDF reader for the figure tests: the page size, and the text of each text
// object (BT ... ET) decoded through the fonts' ToUnicode maps. Written from the PDF 1.7 spec
// (objects, FlateDecode streams, Tf / Tj / TJ, bfrange / bfchar), not from the writer it checks.
import { inflateSync } from 'node:zlib';

interface PdfObject { dict: string; stream?: Buffer }

function objects(pdf: Buffer): Map<number, PdfObject> {
  const out = new Map<number, PdfObject>();
  const text = pdf.toString('latin1');
  for (const m of text.matchAll(/(\d+) 0 obj([\s\S]*?)endobj/g)) {
    const body = m[2]!;
    const s = body.indexOf('stream');
    if (s < 0) { out.set(Number(m[1]), { dict: body }); continue; }
    const at = m.index! + m[0].length - 'endobj'.length - body.length; // where the body starts
    const start = at + s + 'stream'.length + (body[s + 6] === '\r' ? 2 : 1);
    const end = at + body.lastIndexOf('endstream');
    let raw = pdf.subarray(start, end);
    const dict = body.slice(0, s);
    if (/\/FlateDecode/.test(dict)) raw = inflateSync(raw);
    out.set(Number(m[1]), { dict, stream: raw });
  }
  return out;
}

/** glyph code (hex) -> unicode text, from a ToUnicode CMap */
function toUnicode(cmap: string): Map<string, string> {
  const map = new Map<string, string>();
  const hex = (h: string) => String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const r of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const lo = parseInt(r[1]!, 16), hi = parseInt(r[2]!, 16);
      const width = r[1]!.length;
      const targets = r[3]!.startsWith('[') ? [...r[3]!.matchAll(/<([0-9a-fA-F]+)>/g)].map((t) => hex(t[1]!)) : undefined;
      for (let c = lo; c <= hi; c++) {
        const key = c.toString(16).padStart(width, '0').toLowerCase();
        map.set(key, targets ? targets[c - lo]! : String.fromCodePoint(parseInt(r[3]!.slice(1, -1), 16) + c - lo));
      }
    }
  }
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const r of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(r[1]!.toLowerCase(), hex(r[2]!));
  }
  return map;
}

const ref = (dict: string, key: string): number | undefined => {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : undefined;
};

export interface PdfPage { width: number; height: number; texts: string[] }

/** The first page: its MediaBox and the text of its text objects, in drawing order. */
export function readPdf(pdf: Buffer): PdfPage {
  const objs = objects(pdf);
  const page = [...objs.values()].find((o) => /\/Type\s*\/Page\b/.test(o.dict));
  if (!page) throw new Error('no page');
  const box = /\/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]/.exec(page.dict);
  if (!box) throw new Error('no MediaBox');
  const resources = ref(page.dict, 'Resources');
  const resDict = resources !== undefined ? objs.get(resources)!.dict : page.dict;
  const fonts = new Map<string, Map<string, string>>();
  for (const f of (/\/Font\s*<<([^>]*)>>/.exec(resDict)?.[1] ?? '').matchAll(/\/(\w+)\s+(\d+) 0 R/g)) {
    const cmap = ref(objs.get(Number(f[2]))!.dict, 'ToUnicode');
    fonts.set(f[1]!, cmap !== undefined ? toUnicode(objs.get(cmap)!.stream!.toString('latin1')) : new Map());
  }
  const content = objs.get(ref(page.dict, 'Contents')!)!.stream!.toString('latin1');
  const texts: string[] = [];
  for (const bt of content.matchAll(/\bBT\b([\s\S]*?)\bET\b/g)) {
    let font = new Map<string, string>();
    let s = '';
    for (const op of bt[1]!.matchAll(/\/(\w+)\s+[\d.]+\s+Tf|(\[[^\]]*\]|<[0-9a-fA-F]*>)\s*T[Jj]/g)) {
      if (op[1]) { font = fonts.get(op[1]) ?? new Map(); continue; }
      for (const h of op[2]!.matchAll(/<([0-9a-fA-F]*)>/g)) {
        for (const code of h[1]!.match(/.{4}/g) ?? []) s += font.get(code.toLowerCase()) ?? '\ufffd';
      }
    }
    texts.push(s);
  }
  return { width: Number(box[3]) - Number(box[1]), height: Number(box[4]) - Number(box[2]), texts };
}
