// PDF from the SVG (vector: paths stay paths, text stays text), for LaTeX's \includegraphics.
// pdfkit writes the PDF and svg-to-pdfkit walks the SVG into it; both are plain JavaScript (no
// native build, nothing downloaded at install). Text is set in Arimo, embedded as a subset: the
// font jsroot's layout of TLatex pieces assumed (see render.ts), so the PDF matches the SVG.
import { arimoFiles } from './render.ts';

/** CSS pixels (the SVG's unit) to PDF points. */
const PT_PER_PX = 0.75;

const FACES = ['Arimo', 'Arimo-Bold', 'Arimo-Italic', 'Arimo-BoldItalic'] as const;

export async function svgToPdf(svg: string): Promise<Uint8Array> {
  const [{ default: PDFDocument }, { default: SVGtoPDF }] = await Promise.all([import('pdfkit'), import('svg-to-pdfkit')]);
  const size = /<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
  if (!size) throw new Error('svgToPdf: the SVG has no width and height');
  const width = Number(size[1]) * PT_PER_PX, height = Number(size[2]) * PT_PER_PX;
  // fixed dates: the same figure gives the same bytes (cache entries and diffs stay quiet)
  const epoch = new Date(0);
  const doc = new PDFDocument({ size: [width, height], margin: 0, compress: true, autoFirstPage: true, info: { Creator: 'hepflow', Producer: 'hepflow', CreationDate: epoch, ModDate: epoch } });
  const files = arimoFiles();
  // the files come in FACES' order (regular, bold, italic, bold italic); any missing: PDF's Helvetica
  const faces = files.length === FACES.length ? FACES : undefined;
  faces?.forEach((face, i) => doc.registerFont(face, files[i]!));
  const chunks: Uint8Array[] = [];
  doc.on('data', (c: Uint8Array) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { doc.on('end', resolve); doc.on('error', reject); });
  SVGtoPDF(doc, svg, 0, 0, {
    width, height, preserveAspectRatio: 'none', assumePt: false,
    fontCallback: (_family: string, bold: boolean, italic: boolean) => {
      if (!faces) return bold ? (italic ? 'Helvetica-BoldOblique' : 'Helvetica-Bold') : italic ? 'Helvetica-Oblique' : 'Helvetica';
      return faces[(bold ? 1 : 0) + (italic ? 2 : 0)]!;
    },
  });
  doc.end();
  await done;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
