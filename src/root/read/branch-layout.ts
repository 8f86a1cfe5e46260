// From jsroot's TBranch/TLeaf metadata to what a branch holds (BranchInfo, public) and how its
// entries are laid out in basket payloads (BranchLayout, internal to the reader).
import type { DType } from '../../columns.ts';

export interface BranchInfo {
  name: string;
  dtype: DType;
  /** Variable number of values per entry (NanoAOD counter arrays, std::vector, x[n]). */
  jagged: boolean;
  /** Fixed per-value dimensions: x[3] -> [3], x[2][3] -> [2, 3]; for jagged x[n][3], the inner [3]. */
  shape?: number[];
  /** The counter branch of a C-style variable-length array. */
  counter?: string;
  /** C++ type as ROOT declares it, e.g. 'float', 'int32_t[3]', 'float[nJet]', 'vector<float>'. */
  typeName: string;
  title: string;
  supported: boolean;
  reason?: string;
}

/** How one entry's values sit in a basket payload. */
export interface BranchLayout {
  /** 'fixed': a constant number of values per entry; 'jagged': sizes from the basket's entry
   *  offsets, each entry starting with `headerBytes` to skip; 'jagged2': vector<vector<T>>. */
  kind: 'fixed' | 'jagged' | 'jagged2';
  /** Type of the values on disk (big-endian); equals the column dtype except Double32_t (float on disk). */
  diskType: DType;
  /** Values per entry for 'fixed', values per element for 'jagged' (product of shape). */
  itemsPerEntry: number;
  headerBytes: number;
}

export interface ResolvedBranch {
  info: BranchInfo;
  layout?: BranchLayout;
  /** jsroot's TBranch / TBranchElement object. */
  branch: any;
}

const cxxName: Record<DType, string> = {
  bool: 'bool', int8: 'int8_t', uint8: 'uint8_t', int16: 'int16_t', uint16: 'uint16_t', int32: 'int32_t',
  uint32: 'uint32_t', int64: 'int64_t', uint64: 'uint64_t', float32: 'float', float64: 'double',
};

/** ROOT streamer type codes (TVirtualStreamerInfo::EReadWrite) of the basic types. */
const streamerBasic: Record<number, DType> = {
  1: 'int8', 2: 'int16', 3: 'int32', 4: 'int64', 5: 'float32', 6: 'int32', 8: 'float64', 9: 'float64',
  11: 'uint8', 12: 'uint16', 13: 'uint32', 14: 'uint64', 15: 'uint32', 16: 'int64', 17: 'uint64', 18: 'bool',
};
const K_OFFSET_L = 20, K_OFFSET_P = 40, K_DOUBLE32 = 9, K_FLOAT16 = 19, K_TSTRING = 65, K_STL = 300;

/** C++ spellings of element types inside std::vector<...>. */
const cxxTypes: Record<string, DType> = {
  bool: 'bool', Bool_t: 'bool',
  char: 'int8', 'signed char': 'int8', Char_t: 'int8', int8_t: 'int8',
  'unsigned char': 'uint8', UChar_t: 'uint8', uint8_t: 'uint8',
  short: 'int16', Short_t: 'int16', int16_t: 'int16', 'unsigned short': 'uint16', UShort_t: 'uint16', uint16_t: 'uint16',
  int: 'int32', Int_t: 'int32', int32_t: 'int32', 'unsigned int': 'uint32', unsigned: 'uint32', UInt_t: 'uint32', uint32_t: 'uint32',
  long: 'int64', Long_t: 'int64', 'long long': 'int64', Long64_t: 'int64', int64_t: 'int64',
  'unsigned long': 'uint64', ULong_t: 'uint64', 'unsigned long long': 'uint64', ULong64_t: 'uint64', uint64_t: 'uint64',
  float: 'float32', Float_t: 'float32', double: 'float64', Double_t: 'float64', Double32_t: 'float64',
};

/** Dimensions written in a leaf title: 'x[3][4]' -> ['3', '4'], 'Jet_pt[nJet]' -> ['nJet']. */
function titleDims(title: string): string[] {
  const out: string[] = [];
  for (const m of title.matchAll(/\[([^\]]+)\]/g)) out.push(m[1]!.trim());
  return out;
}

function product(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** vector<T> or vector<vector<T>> -> element dtype and nesting depth; undefined otherwise. */
export function parseVectorType(typeName: string): { dtype: DType; depth: number; diskType: DType } | undefined {
  let t = typeName.replace(/\s+/g, ' ').trim();
  let depth = 0;
  for (;;) {
    const m = /^(?:std::)?vector ?< ?(.*?) ?>$/.exec(t);
    if (!m) break;
    t = m[1]!.trim();
    depth++;
  }
  const dtype = cxxTypes[t];
  if (!depth || !dtype) return undefined;
  return { dtype, depth, diskType: t === 'Double32_t' ? 'float32' : dtype };
}

/** A class member as its streamer describes it: declared type and title (Double32_t ranges). */
export type MemberLookup = (className: string, member: string) => { typeName: string; title: string } | undefined;

/** Resolves a branch; `member` looks up a class member's streamer element. */
export function resolveBranch(branch: any, fullName: string, member: MemberLookup): ResolvedBranch {
  const title: string = branch.fTitle ?? '';
  const leaves: any[] = branch.fLeaves?.arr ?? [];
  const unsupported = (typeName: string, reason: string): ResolvedBranch => ({
    info: { name: fullName, dtype: 'float64', jagged: false, typeName, title, supported: false, reason }, branch,
  });
  if ((branch.fBranches?.arr?.length ?? 0) > 0) {
    return unsupported(branch.fClassName || 'split object', 'split object: read its sub-branches');
  }
  if (leaves.length === 0) return unsupported(branch.fClassName || '?', 'branch has no leaves');
  if (leaves.length > 1) {
    return unsupported(leaves.map((l) => l.fTitle).join(':'), `leaf list with ${leaves.length} leaves is not supported`);
  }
  const leaf = leaves[0];
  if (branch._typename === 'TBranchElement') return resolveElement(branch, leaf, fullName, title, member, unsupported);

  let dtype: DType | undefined;
  let diskType: DType | undefined;
  const u = !!leaf.fIsUnsigned;
  switch (leaf._typename) {
    case 'TLeafO': dtype = 'bool'; break;
    case 'TLeafB': dtype = u ? 'uint8' : 'int8'; break;
    case 'TLeafS': dtype = u ? 'uint16' : 'int16'; break;
    case 'TLeafI': dtype = u ? 'uint32' : 'int32'; break;
    case 'TLeafL': case 'TLeafG': dtype = u ? 'uint64' : 'int64'; break;
    case 'TLeafF': dtype = 'float32'; break;
    case 'TLeafD': dtype = 'float64'; break;
    case 'TLeafD32':
      if (/\[[^\]]*,[^\]]*\]/.test(leaf.fTitle ?? '')) return unsupported('Double32_t', 'Double32_t with a packing range is not supported');
      dtype = 'float64'; diskType = 'float32'; break;
    case 'TLeafC': return unsupported('char*', 'strings are not supported');
    default: return unsupported(leaf._typename, `leaf type ${leaf._typename} is not supported`);
  }
  diskType ??= dtype;
  const dims = titleDims(leaf.fTitle ?? '');
  const counter: string | undefined = leaf.fLeafCount?.fName;
  if (counter) {
    const inner = dims.slice(1).map(Number);
    if (inner.some((d) => !Number.isInteger(d) || d <= 0)) return unsupported(leaf.fTitle, `cannot parse the dimensions of '${leaf.fTitle}'`);
    return {
      info: { name: fullName, dtype, jagged: true, ...(inner.length ? { shape: inner } : {}), counter, typeName: `${cxxName[dtype]}[${counter}]${inner.map((d) => `[${d}]`).join('')}`, title, supported: true },
      layout: { kind: 'jagged', diskType, itemsPerEntry: product(inner), headerBytes: 0 },
      branch,
    };
  }
  let shape = dims.map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d <= 0)) return unsupported(leaf.fTitle, `cannot parse the dimensions of '${leaf.fTitle}'`);
  const len = leaf.fLen ?? 1;
  if (len > 1 && product(shape) !== len) shape = [len];
  return fixed(fullName, title, dtype, diskType, shape, branch);
}

function fixed(name: string, title: string, dtype: DType, diskType: DType, shape: number[], branch: any): ResolvedBranch {
  const n = product(shape);
  return {
    info: { name, dtype, jagged: false, ...(shape.length ? { shape } : {}), typeName: cxxName[dtype] + shape.map((d) => `[${d}]`).join(''), title, supported: true },
    layout: { kind: 'fixed', diskType, itemsPerEntry: n, headerBytes: 0 },
    branch,
  };
}

/** 'P3.Px' -> 'Px', 'ArrayI16[10]' -> 'ArrayI16' */
function memberName(fullName: string): string {
  return fullName.split('.').pop()!.replace(/\[.*$/, '');
}

function resolveElement(
  branch: any, leaf: any, fullName: string, title: string,
  member: MemberLookup,
  unsupported: (typeName: string, reason: string) => ResolvedBranch,
): ResolvedBranch {
  const st: number = branch.fStreamerType ?? -1;
  const className: string = branch.fClassName ?? '';
  // a whole object stored in one branch: only std::vector of numbers (and of vectors) is read
  if (st === -1 || st === K_STL) {
    let typeName = className;
    if (st === K_STL) {
      const name = memberName(fullName);
      typeName = member(className, name)?.typeName ?? `${className}::${name}`;
    }
    const vec = parseVectorType(typeName);
    if (!vec) return unsupported(typeName, `type ${typeName} is not supported (numbers, fixed arrays and std::vector of numbers are)`);
    if (vec.depth > 2) return unsupported(typeName, `vectors nested ${vec.depth} deep are not supported`);
    if (vec.depth === 2) {
      return {
        info: { name: fullName, dtype: vec.dtype, jagged: true, typeName: `vector<vector<${cxxName[vec.dtype]}>>`, title, supported: true },
        layout: { kind: 'jagged2', diskType: vec.diskType, itemsPerEntry: 1, headerBytes: 10 },
        branch,
      };
    }
    return {
      info: { name: fullName, dtype: vec.dtype, jagged: true, typeName: `vector<${cxxName[vec.dtype]}>`, title, supported: true },
      layout: { kind: 'jagged', diskType: vec.diskType, itemsPerEntry: 1, headerBytes: 10 },
      branch,
    };
  }
  if (st === K_TSTRING) return unsupported('TString', 'strings are not supported');
  const base = st >= K_OFFSET_P && st < K_OFFSET_P + 20 ? st - K_OFFSET_P : st >= K_OFFSET_L && st < K_OFFSET_L + 20 ? st - K_OFFSET_L : st;
  if (base === K_FLOAT16) return unsupported('Float16_t', 'Float16_t is not supported');
  const dtype = streamerBasic[base];
  if (!dtype) return unsupported(className || `streamer type ${st}`, `streamer type ${st} is not supported`);
  const diskType: DType = base === K_DOUBLE32 ? 'float32' : dtype;
  // a packing range lives in the streamer element's title ("//[0, 100, 16]")
  if (base === K_DOUBLE32 && /\[[^\]]*,[^\]]*\]/.test(`${title} ${member(className, memberName(fullName))?.title ?? ''}`)) {
    return unsupported('Double32_t', 'Double32_t with a packing range is not supported');
  }
  if (st >= K_OFFSET_P) {
    // pointer to a variable-length array (`T* x; //[n]`): one flag byte precedes each entry's values
    const counter: string | undefined = leaf.fLeafCount?.fName;
    return {
      info: { name: fullName, dtype, jagged: true, ...(counter ? { counter } : {}), typeName: `${cxxName[dtype]}[${counter ?? ''}]`, title, supported: true },
      layout: { kind: 'jagged', diskType, itemsPerEntry: 1, headerBytes: 1 },
      branch,
    };
  }
  if (st >= K_OFFSET_L) {
    let shape = titleDims(leaf.fTitle || fullName).map(Number).filter((d) => Number.isInteger(d) && d > 0);
    const len = leaf.fLen ?? 1;
    if (product(shape) !== len) shape = [len];
    return fixed(fullName, title, dtype, diskType, shape, branch);
  }
  if (branch.fType === 31 || branch.fType === 41) {
    // a member of a split collection: every entry holds this member for all elements
    return {
      info: { name: fullName, dtype, jagged: true, typeName: `${cxxName[dtype]}[]`, title, supported: true },
      layout: { kind: 'jagged', diskType, itemsPerEntry: 1, headerBytes: 0 },
      branch,
    };
  }
  return fixed(fullName, title, dtype, diskType, [], branch);
}
