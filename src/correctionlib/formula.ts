// TFormula-like expressions (the subset correctionlib accepts) compiled to a JS function
// f(x, y, z, t, p) where p holds the [i] parameters. The expression is parsed into our own AST first
// and the emitted source only contains whitelisted names, so compiling it with new Function is safe.

type Node =
  | { t: 'num'; v: number }
  | { t: 'var'; i: number }
  | { t: 'par'; i: number }
  | { t: 'neg'; a: Node }
  | { t: 'not'; a: Node }
  | { t: 'bin'; op: string; a: Node; b: Node }
  | { t: 'call'; f: string; args: Node[] };

const FUNCS: Record<string, { arity: number; js: string }> = {
  exp: { arity: 1, js: 'Math.exp' }, log: { arity: 1, js: 'Math.log' }, log10: { arity: 1, js: 'Math.log10' },
  sqrt: { arity: 1, js: 'Math.sqrt' }, abs: { arity: 1, js: 'Math.abs' }, fabs: { arity: 1, js: 'Math.abs' },
  sin: { arity: 1, js: 'Math.sin' }, cos: { arity: 1, js: 'Math.cos' }, tan: { arity: 1, js: 'Math.tan' },
  asin: { arity: 1, js: 'Math.asin' }, acos: { arity: 1, js: 'Math.acos' }, atan: { arity: 1, js: 'Math.atan' },
  sinh: { arity: 1, js: 'Math.sinh' }, cosh: { arity: 1, js: 'Math.cosh' }, tanh: { arity: 1, js: 'Math.tanh' },
  asinh: { arity: 1, js: 'Math.asinh' }, acosh: { arity: 1, js: 'Math.acosh' }, atanh: { arity: 1, js: 'Math.atanh' },
  erf: { arity: 1, js: 'M.erf' }, erfc: { arity: 1, js: 'M.erfc' },
  pow: { arity: 2, js: 'Math.pow' }, atan2: { arity: 2, js: 'Math.atan2' },
  max: { arity: 2, js: 'Math.max' }, min: { arity: 2, js: 'Math.min' },
};

const VARS = ['x', 'y', 'z', 't'];

class Parser {
  private pos = 0;
  private readonly s: string;
  constructor(s: string) { this.s = s; }

  fail(msg: string): never { throw new Error(`formula "${this.s}": ${msg} at position ${this.pos}`); }
  ws(): void { while (this.pos < this.s.length && /\s/.test(this.s.charAt(this.pos))) this.pos++; }
  peek(tok: string): boolean { this.ws(); return this.s.startsWith(tok, this.pos); }
  eat(tok: string): boolean { if (this.peek(tok)) { this.pos += tok.length; return true; } return false; }
  expect(tok: string): void { if (!this.eat(tok)) this.fail(`expected '${tok}'`); }

  parse(): Node {
    const n = this.or();
    this.ws();
    if (this.pos !== this.s.length) this.fail(`unexpected '${this.s[this.pos]}'`);
    return n;
  }
  /** One left-associative binary precedence level. */
  private level(ops: string[], next: () => Node): Node {
    let a = next();
    for (;;) {
      const op = ops.find((o) => this.peek(o));
      if (!op) return a;
      this.pos += op.length;
      a = { t: 'bin', op, a, b: next() };
    }
  }
  private or(): Node { return this.level(['||'], () => this.and()); }
  private and(): Node { return this.level(['&&'], () => this.cmp()); }
  private cmp(): Node { return this.level(['==', '!=', '>=', '<=', '>', '<'], () => this.add()); }
  private add(): Node { return this.level(['+', '-'], () => this.mul()); }
  private mul(): Node { return this.level(['*', '/'], () => this.unary()); }
  private unary(): Node {
    if (this.eat('-')) return { t: 'neg', a: this.unary() };
    if (this.eat('+')) return this.unary();
    if (this.peek('!') && !this.peek('!=')) { this.pos++; return { t: 'not', a: this.unary() }; }
    return this.pow();
  }
  private pow(): Node {
    const a = this.atom();
    if (this.eat('^')) return { t: 'bin', op: '^', a, b: this.unary() }; // right-associative, binds tighter than unary minus on its left
    return a;
  }
  private atom(): Node {
    this.ws();
    const rest = this.s.slice(this.pos);
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (num) { this.pos += num[0].length; return { t: 'num', v: Number(num[0]) }; }
    if (this.eat('(')) { const n = this.or(); this.expect(')'); return n; }
    if (this.eat('[')) {
      const m = /^\s*(\d+)\s*\]/.exec(this.s.slice(this.pos));
      if (!m) this.fail('expected parameter index');
      this.pos += m[0].length;
      return { t: 'par', i: Number(m[1]) };
    }
    const id = /^(TMath::)?[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (!id) this.fail('expected a number, variable, parameter or function');
    this.pos += id[0].length;
    const name = id[0].replace(/^TMath::/, '').toLowerCase();
    if (!id[1] && VARS.includes(id[0])) return { t: 'var', i: VARS.indexOf(id[0]) };
    if (name === 'pi') return { t: 'num', v: Math.PI };
    const f = FUNCS[name];
    if (!f) this.fail(`unknown function or variable '${id[0]}'`);
    this.expect('(');
    const args: Node[] = [this.or()];
    while (this.eat(',')) args.push(this.or());
    this.expect(')');
    if (args.length !== f.arity) this.fail(`${name} takes ${f.arity} argument(s), got ${args.length}`);
    return { t: 'call', f: name, args };
  }
}

/** The parser only builds known variables and functions: a miss here is a bug in it. */
function fail(what: string): never {
  throw new Error(`formula compiler: unknown ${what}`);
}

function emit(n: Node): string {
  switch (n.t) {
    case 'num': return `(${n.v})`;
    case 'var': return VARS[n.i] ?? fail(`variable ${n.i}`);
    case 'par': return `p[${n.i}]`;
    case 'neg': return `(-${emit(n.a)})`;
    case 'not': return `(+!${emit(n.a)})`;
    case 'call': return `${(FUNCS[n.f] ?? fail(`function ${n.f}`)).js}(${n.args.map(emit).join(', ')})`;
    case 'bin':
      if (n.op === '^') return `Math.pow(${emit(n.a)}, ${emit(n.b)})`;
      if (n.op === '&&' || n.op === '||') return `(+(${emit(n.a)} !== 0 ${n.op} ${emit(n.b)} !== 0))`;
      if (['==', '!=', '>=', '<=', '>', '<'].includes(n.op)) return `(+(${emit(n.a)} ${n.op === '==' ? '===' : n.op === '!=' ? '!==' : n.op} ${emit(n.b)}))`;
      return `(${emit(n.a)} ${n.op} ${emit(n.b)})`;
  }
}

export type CompiledFormula = (x: number, y: number, z: number, t: number, p: ArrayLike<number>) => number;

export function compileFormula(expression: string): { fn: CompiledFormula; nvars: number; nparams: number } {
  const ast = new Parser(expression).parse();
  let nvars = 0, nparams = 0;
  const visit = (n: Node): void => {
    if (n.t === 'var') nvars = Math.max(nvars, n.i + 1);
    else if (n.t === 'par') nparams = Math.max(nparams, n.i + 1);
    else if (n.t === 'neg' || n.t === 'not') visit(n.a);
    else if (n.t === 'bin') { visit(n.a); visit(n.b); }
    else if (n.t === 'call') n.args.forEach(visit);
  };
  visit(ast);
  const make = new Function('M', `return function formula(x, y, z, t, p) { return ${emit(ast)}; };`) as (m: unknown) => CompiledFormula;
  return { fn: make({ erf, erfc }), nvars, nparams };
}

// erf/erfc (Numerical Recipes' erfc Chebyshev fit, |relative error| < 1.2e-7)
export function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
export function erf(x: number): number { return 1 - erfc(x); }
