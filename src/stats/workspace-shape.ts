// Whether a value is a pyhf workspace that workspace-schema.ts's zod schema accepts, checked by hand
// in one pass, so that a valid workspace loads without zod. Never true where the schema would refuse
// (test/stats-workspace-shape.test.ts holds the two side by side on the reference workspaces and
// thousands of damaged ones); when in doubt it says false and the schema decides and words the error.

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Only keys out of `allowed` (a strict object), with every one of `required` present. */
function hasKeys(o: Obj, required: readonly string[], allowed: readonly string[] = required): boolean {
  for (const k of required) if (!Object.hasOwn(o, k)) return false;
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return false;
  return true;
}

const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): boolean => typeof v === 'string';

/** A non-empty array of finite numbers (`nums` in the schema). */
function isNums(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (!isNum(v[i])) return false;
  return true;
}

/** A non-empty array whose items all pass `item`; `minOne: false` allows it empty. */
function isArrayOf(v: unknown, item: (x: unknown) => boolean, minOne = true): boolean {
  if (!Array.isArray(v) || (minOne && v.length === 0)) return false;
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
  return true;
}

const NULL_DATA = new Set(['normfactor', 'shapefactor', 'lumi']);
const NUMS_DATA = new Set(['staterror', 'shapesys']);

function isModifier(m: unknown): boolean {
  if (!isPlainObject(m) || !hasKeys(m, ['name', 'type', 'data']) || !isStr(m.name)) return false;
  const { type, data } = m;
  if (typeof type !== 'string') return false;
  if (NULL_DATA.has(type)) return data === null && (type !== 'lumi' || m.name === 'lumi');
  if (NUMS_DATA.has(type)) return isNums(data);
  // histosys and normsys data are loose objects: extra keys allowed
  if (type === 'normsys') return isPlainObject(data) && isNum(data.hi) && isNum(data.lo);
  if (type === 'histosys') return isPlainObject(data) && isNums(data.hi_data) && isNums(data.lo_data);
  return false;
}

function isSample(s: unknown): boolean {
  return isPlainObject(s) && hasKeys(s, ['name', 'data', 'modifiers']) && isStr(s.name) && isNums(s.data) && isArrayOf(s.modifiers, isModifier, false);
}

const isChannel = (c: unknown): boolean => isPlainObject(c) && hasKeys(c, ['name', 'samples']) && isStr(c.name) && isArrayOf(c.samples, isSample);
const isObservation = (o: unknown): boolean => isPlainObject(o) && hasKeys(o, ['name', 'data']) && isStr(o.name) && isNums(o.data);
const isBound = (b: unknown): boolean => Array.isArray(b) && b.length === 2 && isNum(b[0]) && isNum(b[1]);

const PARAMETER_KEYS = ['name', 'inits', 'bounds', 'fixed', 'auxdata', 'sigmas', 'factors'];
function isParameterConfig(p: unknown): boolean {
  if (!isPlainObject(p) || !hasKeys(p, ['name'], PARAMETER_KEYS) || !isStr(p.name)) return false;
  for (const k of ['inits', 'auxdata', 'sigmas', 'factors']) if (Object.hasOwn(p, k) && !isNums(p[k])) return false;
  if (Object.hasOwn(p, 'bounds') && !isArrayOf(p.bounds, isBound)) return false;
  return !Object.hasOwn(p, 'fixed') || typeof p.fixed === 'boolean';
}

function isMeasurement(m: unknown): boolean {
  if (!isPlainObject(m) || !hasKeys(m, ['name', 'config']) || !isStr(m.name)) return false;
  const c = m.config;
  return isPlainObject(c) && hasKeys(c, ['poi', 'parameters']) && isStr(c.poi) && isArrayOf(c.parameters, isParameterConfig, false);
}

export function conformsToWorkspaceSchema(json: unknown): boolean {
  return isPlainObject(json) && hasKeys(json, ['version', 'channels', 'observations', 'measurements']) && json.version === '1.0.0'
    && isArrayOf(json.channels, isChannel) && isArrayOf(json.observations, isObservation, false) && isArrayOf(json.measurements, isMeasurement);
}
