// TStreamerInfo records for every class the writer emits, so that ROOT, uproot and jsroot can read
// our files without built-in knowledge of the classes. The layouts (members, types, class versions,
// checksums) are facts about ROOT's classes, transcribed from the StreamerInfo records of files
// written by ROOT 6; TH2D's checksum follows ROOT's name-based checksum (verified on TH1F/TH1D/TH2F).
import { WBuffer } from './buffer.ts';
import { writeTObject } from './tobject.ts';

type Element =
  | readonly ['Base', string, string, number, number]
  | readonly ['BasicType', string, string, number, number, string]
  | readonly ['String', string, string]
  | readonly ['Object' | 'ObjectAny' | 'ObjectPointer', string, string, number, number, string]
  | readonly ['BasicPointer', string, string, number, number, string, string, string, number]
  | readonly ['STL', string, string, number, number, string, number, number];

interface ClassInfo { version: number; checksum: number; elements: readonly Element[] }

const classes: Record<string, ClassInfo> = {
  "TBranchElement": { version: 10, checksum: 3858988207, elements: [
    ['Base', "TBranch", "Branch descriptor", 0, 13],
    ['String', "fClassName", "Class name of referenced object"],
    ['String', "fParentName", "Name of parent class"],
    ['String', "fClonesName", "Name of class in TClonesArray (if any)"],
    ['BasicType', "fCheckSum", "CheckSum of class", 13, 4, "unsigned int"],
    ['BasicType', "fClassVersion", "Version number of class", 2, 2, "short"],
    ['BasicType', "fID", "element serial number in fInfo", 3, 4, "int"],
    ['BasicType', "fType", "branch type", 3, 4, "int"],
    ['BasicType', "fStreamerType", "branch streamer type", 3, 4, "int"],
    ['BasicType', "fMaximum", "Maximum entries for a TClonesArray or variable array", 3, 4, "int"],
    ['ObjectPointer', "fBranchCount", "pointer to primary branchcount branch", 64, 8, "TBranchElement*"],
    ['ObjectPointer', "fBranchCount2", "pointer to secondary branchcount branch", 64, 8, "TBranchElement*"],
  ] },
  "TLeafElement": { version: 1, checksum: 2689566867, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fID", "element serial number in fInfo", 3, 4, "int"],
    ['BasicType', "fType", "leaf type", 3, 4, "int"],
  ] },
  "TObject": { version: 1, checksum: 2417737773, elements: [
    ['BasicType', "fUniqueID", "object unique identifier", 13, 4, "unsigned int"],
    ['BasicType', "fBits", "bit field status word", 15, 4, "unsigned int"],
  ] },
  "TNamed": { version: 1, checksum: 3753331260, elements: [
    ['Base', "TObject", "Basic ROOT object", 66, 1],
    ['String', "fName", "object identifier"],
    ['String', "fTitle", "object title"],
  ] },
  "TAttLine": { version: 2, checksum: 2483504457, elements: [
    ['BasicType', "fLineColor", "Line color", 2, 2, "short"],
    ['BasicType', "fLineStyle", "Line style", 2, 2, "short"],
    ['BasicType', "fLineWidth", "Line width", 2, 2, "short"],
  ] },
  "TAttFill": { version: 2, checksum: 4292422290, elements: [
    ['BasicType', "fFillColor", "Fill area color", 2, 2, "short"],
    ['BasicType', "fFillStyle", "Fill area style", 2, 2, "short"],
  ] },
  "TAttMarker": { version: 2, checksum: 689802220, elements: [
    ['BasicType', "fMarkerColor", "Marker color index", 2, 2, "short"],
    ['BasicType', "fMarkerStyle", "Marker style", 2, 2, "short"],
    ['BasicType', "fMarkerSize", "Marker size", 5, 4, "float"],
  ] },
  "TCollection": { version: 3, checksum: 1474546588, elements: [
    ['Base', "TObject", "Basic ROOT object", 66, 1],
    ['String', "fName", "name of the collection"],
    ['BasicType', "fSize", "number of elements in collection", 3, 4, "int"],
  ] },
  "TSeqCollection": { version: 0, checksum: 4234951622, elements: [
    ['Base', "TCollection", "Collection abstract base class", 0, 3],
  ] },
  "TList": { version: 5, checksum: 1774568379, elements: [
    ['Base', "TSeqCollection", "Sequenceable collection ABC", 0, 0],
  ] },
  "TObjArray": { version: 3, checksum: 2845730130, elements: [
    ['Base', "TSeqCollection", "Sequenceable collection ABC", 0, 0],
    ['BasicType', "fLowerBound", "Lower bound of the array", 3, 4, "Int_t"],
    ['BasicType', "fLast", "Last element in array containing an object", 3, 4, "Int_t"],
  ] },
  "ROOT::TIOFeatures": { version: 1, checksum: 446770960, elements: [
    ['BasicType', "fIOBits", "", 11, 1, "unsigned char"],
  ] },
  "TTree": { version: 20, checksum: 1919213695, elements: [
    ['Base', "TNamed", "The basis for a named object (name, title)", 67, 1],
    ['Base', "TAttLine", "Line attributes", 0, 2],
    ['Base', "TAttFill", "Fill area attributes", 0, 2],
    ['Base', "TAttMarker", "Marker attributes", 0, 2],
    ['BasicType', "fEntries", "Number of entries", 16, 8, "Long64_t"],
    ['BasicType', "fTotBytes", "Total number of bytes in all branches before compression", 16, 8, "Long64_t"],
    ['BasicType', "fZipBytes", "Total number of bytes in all branches after compression", 16, 8, "Long64_t"],
    ['BasicType', "fSavedBytes", "Number of autosaved bytes", 16, 8, "Long64_t"],
    ['BasicType', "fFlushedBytes", "Number of auto-flushed bytes", 16, 8, "Long64_t"],
    ['BasicType', "fWeight", "Tree weight (see TTree::SetWeight)", 8, 8, "double"],
    ['BasicType', "fTimerInterval", "Timer interval in milliseconds", 3, 4, "int"],
    ['BasicType', "fScanField", "Number of runs before prompting in Scan", 3, 4, "int"],
    ['BasicType', "fUpdate", "Update frequency for EntryLoop", 3, 4, "int"],
    ['BasicType', "fDefaultEntryOffsetLen", "Initial Length of fEntryOffset table in the basket buffers", 3, 4, "int"],
    ['BasicType', "fNClusterRange", "Number of Cluster range in addition to the one defined by 'AutoFlush'", 6, 4, "int"],
    ['BasicType', "fMaxEntries", "Maximum number of entries in case of circular buffers", 16, 8, "Long64_t"],
    ['BasicType', "fMaxEntryLoop", "Maximum number of entries to process", 16, 8, "Long64_t"],
    ['BasicType', "fMaxVirtualSize", "Maximum total size of buffers kept in memory", 16, 8, "Long64_t"],
    ['BasicType', "fAutoSave", "Autosave tree when fAutoSave entries written or -fAutoSave (compressed) bytes produced", 16, 8, "Long64_t"],
    ['BasicType', "fAutoFlush", "Auto-flush tree when fAutoFlush entries written or -fAutoFlush (compressed) bytes produced", 16, 8, "Long64_t"],
    ['BasicType', "fEstimate", "Number of entries to estimate histogram limits", 16, 8, "Long64_t"],
    ['BasicPointer', "fClusterRangeEnd", "[fNClusterRange] Last entry of a cluster range.", 56, 8, "Long64_t*", "fNClusterRange", "TTree", 20],
    ['BasicPointer', "fClusterSize", "[fNClusterRange] Number of entries in each cluster for a given range.", 56, 8, "Long64_t*", "fNClusterRange", "TTree", 20],
    ['ObjectAny', "fIOFeatures", "IO features to define for newly-written baskets and branches.", 62, 1, "ROOT::TIOFeatures"],
    ['Object', "fBranches", "List of Branches", 61, 64, "TObjArray"],
    ['Object', "fLeaves", "Direct pointers to individual branch leaves", 61, 64, "TObjArray"],
    ['ObjectPointer', "fAliases", "List of aliases for expressions based on the tree branches.", 64, 8, "TList*"],
    ['ObjectAny', "fIndexValues", "Sorted index values", 62, 24, "TArrayD"],
    ['ObjectAny', "fIndex", "Index of sorted values", 62, 24, "TArrayI"],
    ['ObjectPointer', "fTreeIndex", "Pointer to the tree Index (if any)", 64, 8, "TVirtualIndex*"],
    ['ObjectPointer', "fFriends", "pointer to list of friend elements", 64, 8, "TList*"],
    ['ObjectPointer', "fUserInfo", "pointer to a list of user objects associated to this Tree", 64, 8, "TList*"],
    ['ObjectPointer', "fBranchRef", "Branch supporting the TRefTable (if any)", 64, 8, "TBranchRef*"],
  ] },
  "TBranch": { version: 13, checksum: 278366892, elements: [
    ['Base', "TNamed", "The basis for a named object (name, title)", 67, 1],
    ['Base', "TAttFill", "Fill area attributes", 0, 2],
    ['BasicType', "fCompress", "Compression level and algorithm", 3, 4, "int"],
    ['BasicType', "fBasketSize", "Initial Size of  Basket Buffer", 3, 4, "int"],
    ['BasicType', "fEntryOffsetLen", "Initial Length of fEntryOffset table in the basket buffers", 3, 4, "int"],
    ['BasicType', "fWriteBasket", "Last basket number written", 3, 4, "int"],
    ['BasicType', "fEntryNumber", "Current entry number (last one filled in this branch)", 16, 8, "Long64_t"],
    ['ObjectAny', "fIOFeatures", "IO features for newly-created baskets.", 62, 1, "ROOT::TIOFeatures"],
    ['BasicType', "fOffset", "Offset of this branch", 3, 4, "int"],
    ['BasicType', "fMaxBaskets", "Maximum number of Baskets so far", 6, 4, "int"],
    ['BasicType', "fSplitLevel", "Branch split level", 3, 4, "int"],
    ['BasicType', "fEntries", "Number of entries", 16, 8, "Long64_t"],
    ['BasicType', "fFirstEntry", "Number of the first entry in this branch", 16, 8, "Long64_t"],
    ['BasicType', "fTotBytes", "Total number of bytes in all leaves before compression", 16, 8, "Long64_t"],
    ['BasicType', "fZipBytes", "Total number of bytes in all leaves after compression", 16, 8, "Long64_t"],
    ['Object', "fBranches", "-> List of Branches of this branch", 61, 64, "TObjArray"],
    ['Object', "fLeaves", "-> List of leaves of this branch", 61, 64, "TObjArray"],
    ['Object', "fBaskets", "-> List of baskets of this branch", 61, 64, "TObjArray"],
    ['BasicPointer', "fBasketBytes", "[fMaxBaskets] Length of baskets on file", 43, 8, "int*", "fMaxBaskets", "TBranch", 13],
    ['BasicPointer', "fBasketEntry", "[fMaxBaskets] Table of first entry in each basket", 56, 8, "Long64_t*", "fMaxBaskets", "TBranch", 13],
    ['BasicPointer', "fBasketSeek", "[fMaxBaskets] Addresses of baskets on file", 56, 8, "Long64_t*", "fMaxBaskets", "TBranch", 13],
    ['String', "fFileName", "Name of file where buffers are stored (\"\" if in same file as Tree header)"],
  ] },
  "TLeaf": { version: 2, checksum: 1830715730, elements: [
    ['Base', "TNamed", "The basis for a named object (name, title)", 67, 1],
    ['BasicType', "fLen", "Number of fixed length elements", 3, 4, "int"],
    ['BasicType', "fLenType", "Number of bytes for this data type", 3, 4, "int"],
    ['BasicType', "fOffset", "Offset in ClonesArray object (if one)", 3, 4, "int"],
    ['BasicType', "fIsRange", "(=kTRUE if leaf has a range, kFALSE otherwise)", 18, 1, "bool"],
    ['BasicType', "fIsUnsigned", "(=kTRUE if unsigned, kFALSE otherwise)", 18, 1, "bool"],
    ['ObjectPointer', "fLeafCount", "Pointer to Leaf count if variable length (we do not own the counter)", 64, 8, "TLeaf*"],
  ] },
  "TLeafB": { version: 1, checksum: 253643614, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 1, 1, "char"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 1, 1, "char"],
  ] },
  "TLeafI": { version: 1, checksum: 2120920601, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 3, 4, "int"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 3, 4, "int"],
  ] },
  "TLeafL": { version: 1, checksum: 3727820898, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 16, 8, "Long64_t"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 16, 8, "Long64_t"],
  ] },
  "TLeafF": { version: 1, checksum: 987602290, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 5, 4, "float"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 5, 4, "float"],
  ] },
  "TLeafO": { version: 1, checksum: 44976339, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 18, 1, "bool"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 18, 1, "bool"],
  ] },
  "TLeafS": { version: 1, checksum: 353169103, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 2, 2, "short"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 2, 2, "short"],
  ] },
  "TLeafD": { version: 1, checksum: 294553462, elements: [
    ['Base', "TLeaf", "Leaf: description of a Branch data type", 0, 2],
    ['BasicType', "fMinimum", "Minimum value if leaf range is specified", 8, 8, "double"],
    ['BasicType', "fMaximum", "Maximum value if leaf range is specified", 8, 8, "double"],
  ] },
  "TAttAxis": { version: 4, checksum: 1395276684, elements: [
    ['BasicType', "fNdivisions", "Number of divisions(10000*n3 + 100*n2 + n1)", 3, 4, "Int_t"],
    ['BasicType', "fAxisColor", "color of the line axis", 2, 2, "short"],
    ['BasicType', "fLabelColor", "color of labels", 2, 2, "short"],
    ['BasicType', "fLabelFont", "font for labels", 2, 2, "short"],
    ['BasicType', "fLabelOffset", "offset of labels", 5, 4, "Float_t"],
    ['BasicType', "fLabelSize", "size of labels", 5, 4, "Float_t"],
    ['BasicType', "fTickLength", "length of tick marks", 5, 4, "Float_t"],
    ['BasicType', "fTitleOffset", "offset of axis title", 5, 4, "Float_t"],
    ['BasicType', "fTitleSize", "size of axis title", 5, 4, "Float_t"],
    ['BasicType', "fTitleColor", "color of axis title", 2, 2, "short"],
    ['BasicType', "fTitleFont", "font for axis title", 2, 2, "short"],
  ] },
  "TAxis": { version: 9, checksum: 2116140609, elements: [
    ['Base', "TNamed", "The basis for a named object (name, title)", 67, 1],
    ['Base', "TAttAxis", "Axis attributes", 0, 4],
    ['BasicType', "fNbins", "Number of bins", 3, 4, "Int_t"],
    ['BasicType', "fXmin", "low edge of first bin", 8, 8, "Double_t"],
    ['BasicType', "fXmax", "upper edge of last bin", 8, 8, "Double_t"],
    ['ObjectAny', "fXbins", "Bin edges array in X", 62, 12, "TArrayD"],
    ['BasicType', "fFirst", "first bin to display", 3, 4, "Int_t"],
    ['BasicType', "fLast", "last bin to display", 3, 4, "Int_t"],
    ['BasicType', "fBits2", "second bit status word", 12, 2, "UShort_t"],
    ['BasicType', "fTimeDisplay", "on/off displaying time values instead of numerics", 18, 1, "Bool_t"],
    ['String', "fTimeFormat", "Date&time format, ex: 09/12/99 12:34:00"],
    ['ObjectPointer', "fLabels", "List of labels", 64, 4, "THashList*"],
  ] },
  "TH1": { version: 7, checksum: 1979810215, elements: [
    ['Base', "TNamed", "The basis for a named object (name, title)", 67, 1],
    ['Base', "TAttLine", "Line attributes", 0, 2],
    ['Base', "TAttFill", "Fill area attributes", 0, 2],
    ['Base', "TAttMarker", "Marker attributes", 0, 2],
    ['BasicType', "fNcells", "number of bins(1D), cells (2D) +U/Overflows", 3, 4, "Int_t"],
    ['Object', "fXaxis", "X axis descriptor", 61, 152, "TAxis"],
    ['Object', "fYaxis", "Y axis descriptor", 61, 152, "TAxis"],
    ['Object', "fZaxis", "Z axis descriptor", 61, 152, "TAxis"],
    ['BasicType', "fBarOffset", "(1000*offset) for bar charts or legos", 2, 2, "Short_t"],
    ['BasicType', "fBarWidth", "(1000*width) for bar charts or legos", 2, 2, "Short_t"],
    ['BasicType', "fEntries", "Number of entries", 8, 8, "Double_t"],
    ['BasicType', "fTsumw", "Total Sum of weights", 8, 8, "Double_t"],
    ['BasicType', "fTsumw2", "Total Sum of squares of weights", 8, 8, "Double_t"],
    ['BasicType', "fTsumwx", "Total Sum of weight*X", 8, 8, "Double_t"],
    ['BasicType', "fTsumwx2", "Total Sum of weight*X*X", 8, 8, "Double_t"],
    ['BasicType', "fMaximum", "Maximum value for plotting", 8, 8, "Double_t"],
    ['BasicType', "fMinimum", "Minimum value for plotting", 8, 8, "Double_t"],
    ['BasicType', "fNormFactor", "Normalization factor", 8, 8, "Double_t"],
    ['ObjectAny', "fContour", "Array to display contour levels", 62, 12, "TArrayD"],
    ['ObjectAny', "fSumw2", "Array of sum of squares of weights", 62, 12, "TArrayD"],
    ['String', "fOption", "histogram options"],
    ['ObjectPointer', "fFunctions", "->Pointer to list of functions (fits and user)", 63, 4, "TList*"],
    ['BasicType', "fBufferSize", "fBuffer size", 6, 4, "Int_t"],
    ['BasicPointer', "fBuffer", "[fBufferSize] entry buffer", 48, 8, "Double_t*", "fBufferSize", "TH1", 7],
    ['BasicType', "fBinStatErrOpt", "option for bin statistical errors ", 3, 4, "TH1::EBinErrorOpt"],
  ] },
  "TH1F": { version: 1, checksum: 187324093, elements: [
    ['Base', "TH1", "1-Dim histogram base class", 0, 7],
    ['Base', "TArrayF", "Array of floats", 0, 1],
  ] },
  "TH1D": { version: 1, checksum: 187205993, elements: [
    ['Base', "TH1", "1-Dim histogram base class", 0, 7],
    ['Base', "TArrayD", "Array of doubles", 0, 1],
  ] },
  "TH2": { version: 4, checksum: 3970660071, elements: [
    ['Base', "TH1", "1-Dim histogram base class", 0, 7],
    ['BasicType', "fScalefactor", "Scale factor", 8, 8, "Double_t"],
    ['BasicType', "fTsumwy", "Total Sum of weight*Y", 8, 8, "Double_t"],
    ['BasicType', "fTsumwy2", "Total Sum of weight*Y*Y", 8, 8, "Double_t"],
    ['BasicType', "fTsumwxy", "Total Sum of weight*X*Y", 8, 8, "Double_t"],
  ] },
  "TH2F": { version: 3, checksum: 187503427, elements: [
    ['Base', "TH2", "2-Dim histogram base class", 0, 4],
    ['Base', "TArrayF", "Array of floats", 0, 1],
  ] },
  "TH2D": { version: 3, checksum: 187385327, elements: [
    ['Base', "TH2", "2-Dim histogram base class", 0, 4],
    ['Base', "TArrayD", "Array of doubles", 0, 1],
  ] },
};

/** ROOT's name-based class checksum (what it records for STL collections). */
function nameChecksum(name: string): number {
  let id = 0;
  for (let i = 0; i < name.length; i++) id = (Math.imul(id, 3) + name.charCodeAt(i)) >>> 0;
  return id;
}

const kSTL = 500, kSTLvector = 1;
/** std::vector<T> of every numeric type: class name -> ROOT basic type code of T. */
export const vectorClasses: Record<string, number> = {
  'vector<bool>': 18, 'vector<char>': 1, 'vector<unsigned char>': 11, 'vector<short>': 2, 'vector<unsigned short>': 12,
  'vector<int>': 3, 'vector<unsigned int>': 13, 'vector<Long64_t>': 16, 'vector<ULong64_t>': 17, 'vector<float>': 5, 'vector<double>': 8,
};
for (const [name, ctype] of Object.entries(vectorClasses)) {
  const inner = name.slice('vector'.length);
  classes[name] = {
    version: 6, checksum: nameChecksum(name),
    elements: [['STL', 'This', `${inner} Used to call the proper TStreamerInfo case`, kSTL, 0, name, kSTLvector, ctype]],
  };
}

export function vectorChecksum(name: string): number {
  const c = classes[name];
  if (!c || !(name in vectorClasses)) throw new Error(`ROOT writer: ${name} is not a supported std::vector class`);
  return c.checksum;
}

/** The class version the writer must put in an object's header (one table for both). */
export function classVersion(name: string): number {
  const c = classes[name];
  if (!c) throw new Error(`ROOT writer: no streamer info for class ${name}`);
  return c.version;
}

/** Every class in the table that `names` depend on (bases and embedded members), in first-use order. */
function closure(names: Iterable<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    const c = classes[n.replace(/\*$/, '')];
    if (!c || seen.has(n)) return;
    seen.add(n);
    for (const e of c.elements) {
      if (e[0] === 'Base') visit(e[1]);
      else if (e[0] === 'Object' || e[0] === 'ObjectAny' || e[0] === 'ObjectPointer') visit(e[5].replace(/\*$/, ''));
    }
    out.push(n);
  };
  for (const n of names) visit(n);
  return out;
}

const TSTRING_SIZE = 24;
const kStreamerElementVersion = 4;

function writeElement(b: WBuffer, e: Element): void {
  const kind = e[0];
  const className = `TStreamer${kind}`;
  const [type, size, typeName] =
    kind === 'Base' ? [e[3], 0, 'BASE']
    : kind === 'String' ? [65, TSTRING_SIZE, 'TString']
    : [e[3], e[4], e[5]];
  b.objectAny(className, e, () => {
    const subVersion = kind === 'Base' || kind === 'STL' ? 3 : 2;
    const outer = b.startVersion(subVersion);
    const inner = b.startVersion(kStreamerElementVersion);
    const named = b.startVersion(1);
    writeTObject(b);
    b.tstring(e[1]).tstring(e[2]);
    b.endVersion(named);
    b.i32(type).i32(size).i32(0 /* fArrayLength */).i32(0 /* fArrayDim */);
    for (let i = 0; i < 5; i++) b.i32(0); // fMaxIndex
    b.tstring(typeName);
    b.endVersion(inner);
    if (kind === 'Base') b.i32(e[4]);
    else if (kind === 'BasicPointer') b.i32(e[8]).tstring(e[6]).tstring(e[7]);
    else if (kind === 'STL') b.i32(e[6]).i32(e[7]);
    b.endVersion(outer);
  });
}

function writeStreamerInfo(b: WBuffer, name: string, c: ClassInfo): void {
  b.objectAny('TStreamerInfo', c, () => {
    const at = b.startVersion(9);
    const named = b.startVersion(1);
    writeTObject(b);
    b.tstring(name).tstring('');
    b.endVersion(named);
    b.u32(c.checksum).i32(c.version);
    b.objectAny('TObjArray', c.elements, () => {
      const arr = b.startVersion(3);
      writeTObject(b);
      b.tstring('').i32(c.elements.length).i32(0 /* fLowerBound */);
      for (const e of c.elements) writeElement(b, e);
      b.endVersion(arr);
    });
    b.endVersion(at);
  });
}

/** The payload of the "StreamerInfo" key: a TList of TStreamerInfo for `classNames` and their
 *  dependencies. `keylen` is the key header length, which object tags count from. */
export function streamerInfoList(classNames: Iterable<string>, keylen: number): Uint8Array {
  const b = new WBuffer(keylen, 16384);
  const at = b.startVersion(5);
  writeTObject(b);
  const names = closure(classNames);
  b.tstring('').i32(names.length);
  for (const n of names) {
    writeStreamerInfo(b, n, classes[n]!);
    b.tstring(''); // per-entry option
  }
  b.endVersion(at);
  return b.finish();
}
