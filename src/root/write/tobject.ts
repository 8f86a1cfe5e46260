// The small pieces of ROOT's object layout every class shares.
import type { WBuffer } from './buffer.ts';

/** kIsOnHeap | kNotDeleted, as ROOT writes them. */
export const kObjectBits = 0x03000000;

/** TObject: version 1 (no byte count), fUniqueID, fBits. */
export function writeTObject(b: WBuffer, bits = kObjectBits): void {
  b.i16(1).u32(0).u32(bits);
}

/** TNamed with its byte count and version. */
export function writeTNamed(b: WBuffer, name: string, title: string, bits = kObjectBits): void {
  const at = b.startVersion(1);
  writeTObject(b, bits);
  b.tstring(name).tstring(title);
  b.endVersion(at);
}

/** An empty TList streamed in place: TH1::fFunctions is a "->" pointer (kObjectp), which ROOT
 *  streams like an embedded object, without a class tag. */
export function writeEmptyTList(b: WBuffer): void {
  const at = b.startVersion(5);
  writeTObject(b);
  b.tstring('').i32(0);
  b.endVersion(at);
}

/** An empty TObjArray embedded by value (TBranch::fBranches, fBaskets). */
export function writeEmptyTObjArray(b: WBuffer): void {
  const at = b.startVersion(3);
  writeTObject(b);
  b.tstring('').i32(0).i32(0);
  b.endVersion(at);
}

export function writeTAttLine(b: WBuffer, color = 602, style = 1, width = 1): void {
  const at = b.startVersion(2);
  b.i16(color).i16(style).i16(width);
  b.endVersion(at);
}

export function writeTAttFill(b: WBuffer, color = 0, style = 1001): void {
  const at = b.startVersion(2);
  b.i16(color).i16(style);
  b.endVersion(at);
}

export function writeTAttMarker(b: WBuffer, color = 1, style = 1, size = 1): void {
  const at = b.startVersion(2);
  b.i16(color).i16(style).f32(size);
  b.endVersion(at);
}
