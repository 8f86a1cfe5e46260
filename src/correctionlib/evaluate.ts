// correctionlib schema v2 evaluation: each Content node is compiled once into a closure over the
// input vector; `evaluate` broadcasts scalars and loops over typed arrays (no per-item allocation).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { compileFormula } from './formula.ts';
import { hashPrng } from './hashprng.ts';

type Value = number | string;
type Eval = (v: Value[]) => number;

interface InputSpec { name: string; type: 'real' | 'int' | 'string'; description?: string }
interface CorrectionJSON { name: string; version?: number; description?: string; inputs: InputSpec[]; output: InputSpec; generic_formulas?: unknown[]; data: unknown }
interface CompoundJSON { name: string; inputs: InputSpec[]; output: InputSpec; inputs_update: string[]; input_op: '+' | '*' | '/'; output_op: '+' | '*' | '/' | 'last'; stack: string[] }
export interface CorrectionSetJSON { schema_version: number; corrections: CorrectionJSON[]; compound_corrections?: CompoundJSON[] }

type Edges = { kind: 'uniform'; n: number; low: number; high: number } | { kind: 'edges'; e: Float64Array };
type Flow = 'clamp' | 'error' | 'wrap' | 'value';

/** Bin index in [0, n) or n for "use the flow value"; throws for flow 'error'. */
function findBin(x: number, edges: Edges, flow: Flow, where: string): number {
  if (edges.kind === 'uniform') {
    const { n, low, high } = edges;
    let z = (x - low) / (high - low);
    if (x < low || x >= high) {
      if (flow === 'value') return n;
      if (flow === 'clamp') return x < low ? 0 : n - 1;
      if (flow === 'error') throw new Error(`${where}: value ${x} is ${x < low ? 'below' : 'above'} the bin range [${low}, ${high})`);
      z -= Math.floor(z);
    }
    return Math.min(Math.floor(n * z), n - 1);
  }
  const e = edges.e, n = e.length - 1;
  if (flow === 'wrap') { const lo = e[0]!, hi = e[n]!; let z = (x - lo) / (hi - lo); z -= Math.floor(z); x = lo + z * (hi - lo); }
  // upper_bound: first edge > x
  let lo = 0, hi = e.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x < e[mid]!) hi = mid; else lo = mid + 1; }
  if (lo === 0 || lo === e.length) {
    if (flow === 'value') return n;
    if (flow === 'error') throw new Error(`${where}: value ${x} is ${lo === 0 ? 'below' : 'above'} the bin edges [${e[0]}, ${e[n]}]`);
    return lo === 0 ? 0 : n - 1;
  }
  return lo - 1;
}

function parseEdges(j: unknown, where: string): Edges {
  if (Array.isArray(j)) {
    const e = Float64Array.from(j, (x) => (x === 'inf' || x === '+inf' ? Infinity : x === '-inf' ? -Infinity : Number(x)));
    for (let i = 1; i < e.length; i++) if (!(e[i]! > e[i - 1]!)) throw new Error(`${where}: binning edges are not increasing`);
    return { kind: 'edges', e };
  }
  const u = j as { n: number; low: number; high: number };
  if (!u || !(u.n > 0)) throw new Error(`${where}: edges must be an array or {n, low, high} with n > 0`);
  return { kind: 'uniform', n: u.n, low: u.low, high: u.high };
}

function nbins(e: Edges): number { return e.kind === 'uniform' ? e.n : e.e.length - 1; }

class Compiler {
  private readonly c: CorrectionJSON;
  private readonly index: Map<string, number>;
  private readonly generic: Array<ReturnType<typeof compileFormula> & { vars: number[] }>;

  constructor(c: CorrectionJSON) {
    this.c = c;
    this.index = new Map(c.inputs.map((inp, i) => [inp.name, i]));
    this.generic = (c.generic_formulas ?? []).map((g) => { const f = g as { expression: string; variables: string[] }; return { ...compileFormula(f.expression), vars: f.variables.map((v) => this.input(v, 'formula')) }; });
  }

  input(name: string, where: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`correction ${this.c.name}: ${where} uses unknown input '${name}'`);
    return i;
  }

  private inputAt(i: number): InputSpec {
    const inp = this.c.inputs[i];
    if (!inp) throw new RangeError(`correction ${this.c.name}: no input ${i}`);
    return inp;
  }

  compile(j: unknown, path: string): Eval {
    if (typeof j === 'number') return () => j;
    const node = j as { nodetype?: string } & Record<string, unknown>;
    const where = `correction ${this.c.name} ${path}`;
    switch (node?.nodetype) {
      case 'binning': {
        const edges = parseEdges(node.edges, where), i = this.input(node.input as string, where);
        const content = (node.content as unknown[]).map((x, k) => this.compile(x, `${path}.content[${k}]`));
        if (content.length !== nbins(edges)) throw new Error(`${where}: ${content.length} contents for ${nbins(edges)} bins`);
        const flowJ = node.flow, flow: Flow = flowJ === 'clamp' || flowJ === 'error' || flowJ === 'wrap' ? flowJ : 'value';
        if (flow === 'value') content.push(this.compile(flowJ, `${path}.flow`));
        // findBin returns a bin of `edges` (or the flow slot pushed above) or throws
        return (v) => content[findBin(v[i] as number, edges, flow, where)]!(v);
      }
      case 'multibinning': {
        const inputs = (node.inputs as string[]).map((n) => this.input(n, where));
        const edges = (node.edges as unknown[]).map((e) => parseEdges(e, where));
        const strides: number[] = new Array(edges.length);
        let size = 1;
        edges.reduceRight((_, e, d) => { strides[d] = size; size *= nbins(e); return 0; }, 0);
        const content = (node.content as unknown[]).map((x, k) => this.compile(x, `${path}.content[${k}]`));
        if (content.length !== size) throw new Error(`${where}: ${content.length} contents for ${size} bins`);
        const flowJ = node.flow, flow: Flow = flowJ === 'clamp' || flowJ === 'error' || flowJ === 'wrap' ? flowJ : 'value';
        const dflt = flow === 'value' ? this.compile(flowJ, `${path}.flow`) : null;
        return (v) => {
          let idx = 0;
          for (let d = 0; d < edges.length; d++) {
            const e = edges[d]!, b = findBin(v[inputs[d]!] as number, e, flow, where);
            if (b === nbins(e)) return dflt!(v);
            idx += b * strides[d]!;
          }
          // every per-axis bin is in range, so idx is below size = content.length
          return content[idx]!(v);
        };
      }
      case 'category': {
        const i = this.input(node.input as string, where);
        const map = new Map<Value, Eval>();
        for (const item of node.content as Array<{ key: Value; value: unknown }>) map.set(item.key, this.compile(item.value, `${path}[${item.key}]`));
        const dflt = node.default === undefined || node.default === null ? null : this.compile(node.default, `${path}.default`);
        const name = this.inputAt(i).name;
        return (v) => {
          const f = map.get(v[i]!) ?? dflt;
          if (!f) throw new Error(`${where}: no category '${v[i]}' for input ${name} and no default`);
          return f(v);
        };
      }
      case 'formula': {
        if (node.parser !== undefined && node.parser !== 'TFormula') throw new Error(`${where}: formula parser '${node.parser}' is not supported`);
        const { fn } = compileFormula(node.expression as string);
        const vars = ((node.variables as string[]) ?? []).map((n) => this.input(n, where));
        const p = Float64Array.from((node.parameters as number[]) ?? []);
        const [a = -1, b = -1, c = -1, d = -1] = vars;
        return (v) => fn(a >= 0 ? (v[a] as number) : 0, b >= 0 ? (v[b] as number) : 0, c >= 0 ? (v[c] as number) : 0, d >= 0 ? (v[d] as number) : 0, p);
      }
      case 'formularef': {
        const g = this.generic[node.index as number];
        if (!g) throw new Error(`${where}: formularef index ${node.index} out of range`);
        const p = Float64Array.from(node.parameters as number[]);
        const [a = -1, b = -1, c = -1, d = -1] = g.vars;
        return (v) => g.fn(a >= 0 ? (v[a] as number) : 0, b >= 0 ? (v[b] as number) : 0, c >= 0 ? (v[c] as number) : 0, d >= 0 ? (v[d] as number) : 0, p);
      }
      case 'transform': {
        const i = this.input(node.input as string, where), isInt = this.inputAt(i).type === 'int';
        const rule = this.compile(node.rule, `${path}.rule`), content = this.compile(node.content, `${path}.content`);
        return (v) => {
          const old = v[i]!, nv = rule(v);
          v[i] = isInt ? Math.round(nv) : nv;
          try { return content(v); } finally { v[i] = old; }
        };
      }
      case 'hashprng': {
        const inputs = (node.inputs as string[]).map((n) => this.input(n, where));
        const dist = node.distribution as 'stdflat' | 'stdnormal' | 'normal';
        const ints = inputs.map((k) => this.inputAt(k).type === 'int');
        return (v) => hashPrng(inputs.map((k) => v[k] as number), ints, dist);
      }
      default:
        throw new Error(`${where}: unsupported node ${JSON.stringify(node?.nodetype ?? j)}`);
    }
  }
}

export type Arg = number | string | ArrayLike<number> | readonly string[];

/** One evaluable correction: `c.evaluate('btag_var', 'up', jetPt)` with any argument an array. */
export class Correction {
  readonly name: string;
  readonly inputs: InputSpec[];
  readonly output: InputSpec;
  private readonly root: Eval;

  constructor(name: string, inputs: InputSpec[], output: InputSpec, root: Eval) {
    this.name = name; this.inputs = inputs; this.output = output; this.root = root;
  }

  static compile(c: CorrectionJSON): Correction {
    return new Correction(c.name, c.inputs, c.output, new Compiler(c).compile(c.data, 'data'));
  }

  evaluateScalar(...args: Value[]): number {
    this.check(args);
    return this.root(args.slice());
  }

  evaluate(...args: Arg[]): Float64Array {
    this.check(args);
    let n = -1;
    for (const a of args) if (typeof a !== 'number' && typeof a !== 'string') {
      if (n >= 0 && a.length !== n) throw new Error(`correction ${this.name}: array arguments of different lengths (${a.length} vs ${n})`);
      n = a.length;
    }
    if (n < 0) n = 1;
    const v: Value[] = args.map((a) => (typeof a === 'number' || typeof a === 'string' ? a : 0));
    const arrays = args.map((a, i) => (typeof a === 'number' || typeof a === 'string' ? null : { i, a: a as ArrayLike<Value> })).filter((x) => x !== null);
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      for (const { i, a } of arrays) v[i] = a[k]!;
      out[k] = this.root(v);
    }
    return out;
  }

  private check(args: readonly unknown[]): void {
    if (args.length !== this.inputs.length) {
      throw new Error(`correction ${this.name} takes ${this.inputs.length} inputs (${this.inputs.map((i) => i.name).join(', ')}), got ${args.length}`);
    }
    this.inputs.forEach((inp, i) => {
      const a = args[i], isStr = typeof a === 'string' || (Array.isArray(a) && typeof a[0] === 'string');
      if ((inp.type === 'string') !== isStr) throw new Error(`correction ${this.name}: input ${inp.name} must be ${inp.type}`);
    });
  }
}

/** correctionlib CompoundCorrection: evaluate a stack, updating inputs and combining outputs. */
function compileCompound(j: CompoundJSON, set: Map<string, Correction>): Correction {
  const idx = new Map(j.inputs.map((x, i) => [x.name, i]));
  const upd = j.inputs_update.map((n) => { const i = idx.get(n); if (i === undefined) throw new Error(`compound ${j.name}: unknown input '${n}'`); return i; });
  const stack = j.stack.map((name) => {
    const c = set.get(name);
    if (!c) throw new Error(`compound ${j.name}: constituent '${name}' not in the set`);
    return { c, map: c.inputs.map((inp) => { const i = idx.get(inp.name); if (i === undefined) throw new Error(`compound ${j.name}: lacks input '${inp.name}' of ${name}`); return i; }) };
  });
  const op = (a: number, b: number, o: string) => (o === '+' ? a + b : o === '*' ? a * b : o === '/' ? a / b : b);
  const root: Eval = (values) => {
    const iv = values.slice();
    let out = 0;
    stack.forEach(({ c, map }, s) => {
      // map and upd index j.inputs (checked above), as iv does
      const sf = c.evaluateScalar(...map.map((i) => iv[i]!));
      for (const i of upd) iv[i] = op(iv[i] as number, sf, j.input_op);
      out = s === 0 ? sf : op(out, sf, j.output_op);
    });
    return out;
  };
  return new Correction(j.name, j.inputs, j.output, root);
}

export class CorrectionSet {
  private readonly all = new Map<string, Correction>();

  constructor(json: CorrectionSetJSON, source = 'correction set') {
    if (json.schema_version !== 2) throw new Error(`${source}: schema_version ${json.schema_version} is not supported (need 2)`);
    for (const c of json.corrections) {
      try { this.all.set(c.name, Correction.compile(c)); } catch (e) { throw new Error(`${source}: ${(e as Error).message}`); }
    }
    for (const c of json.compound_corrections ?? []) this.all.set(c.name, compileCompound(c, this.all));
  }

  static fromFile(path: string): CorrectionSet {
    let bytes = readFileSync(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    let json: CorrectionSetJSON;
    try { json = JSON.parse(bytes.toString('utf8')); } catch (e) { throw new Error(`${path}: not valid JSON: ${(e as Error).message}`); }
    return new CorrectionSet(json, path);
  }

  get(name: string): Correction {
    const c = this.all.get(name);
    if (!c) throw new Error(`no correction '${name}' (have: ${[...this.all.keys()].join(', ')})`);
    return c;
  }

  names(): string[] { return [...this.all.keys()]; }
}
