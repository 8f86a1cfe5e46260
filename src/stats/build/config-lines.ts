// Where in the cabinetry YAML a template is asked for: "cabinetry_config.yml:57" for the entry
// (Samples[i], or Systematics[j].Up/Down) that makes the builder look a histogram up. Configs read
// from YAML remember their text; lines are found only when an error needs them.
import { LineCounter, parseDocument } from 'yaml';

// structural types (this module is imported by the config reader: no import back)
interface Named { Name: string }
interface ConfigEntries { Samples: readonly Named[]; Systematics?: readonly Named[] }
interface TemplateRef { region: Named; sample: Named; systematic: Named | null; template: 'Nominal' | 'Up' | 'Down' }

const origins = new WeakMap<object, { source: string; text: string }>();

/** Called by the YAML reader on the validated config. */
export function rememberConfigText(config: object, source: string, text: string): void {
  origins.set(config, { source, text });
}

/** A config validated again (a new object) keeps the text of the one it came from. */
export function carryConfigText(from: unknown, to: object): void {
  const origin = typeof from === 'object' && from !== null ? origins.get(from) : undefined;
  if (origin) origins.set(to, origin);
}

/** Line (1-based) of the YAML node at `path`, or undefined. */
function lineOf(text: string, path: Array<string | number>): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', lineCounter });
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
}

/** ` (wanted by file.yml:57: Systematics[2] "ME variation" Up)`, or '' for configs not read from YAML. */
export function wantedBy(config: ConfigEntries, ref: TemplateRef): string {
  const origin = origins.get(config);
  const entry = ref.systematic === null
    ? { path: ['Samples', config.Samples.indexOf(ref.sample)], what: `Samples[${config.Samples.indexOf(ref.sample)}] "${ref.sample.Name}"` }
    : { path: ['Systematics', (config.Systematics ?? []).indexOf(ref.systematic), ref.template], what: `Systematics[${(config.Systematics ?? []).indexOf(ref.systematic)}] "${ref.systematic.Name}" ${ref.template}` };
  if (!origin || (entry.path[1] as number) < 0) return '';
  const line = lineOf(origin.text, entry.path) ?? lineOf(origin.text, entry.path.slice(0, 2));
  return line === undefined ? '' : ` (wanted by ${origin.source}:${line}: ${entry.what})`;
}
