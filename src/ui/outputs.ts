// The order in which the final screen lists a run's output files: the pages a person opens first
// (report.html) ahead of everything else, which keeps the order it was written in. The dashboard
// shows only the first few: the report must never be among the "... and N more".
export interface OutputFile { readonly node: string; readonly path: string }

const first = (path: string): boolean => /\.html?$/i.test(path);

export function listedOutputs<T extends OutputFile>(outputs: readonly T[]): T[] {
  return [...outputs.filter((o) => first(o.path)), ...outputs.filter((o) => !first(o.path))];
}
