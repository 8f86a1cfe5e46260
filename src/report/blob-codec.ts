// Cache codec for big JSON-like results (workspaces, figures, datacards): the engine's structured
// codec (typed arrays as raw payloads), with the JSON itself moved into a payload blob too, so the
// cache index (which keeps `meta` inline) stays small.
import { structuredCodec } from '../engine/codecs.ts';
import type { Codec } from '../engine/node-kind.ts';

export function blobJsonCodec<T>(): Codec<T> {
  return {
    encode(value) {
      const e = structuredCodec.encode(value);
      return { meta: { blob: 1 }, payloads: [new TextEncoder().encode(JSON.stringify(e.meta)), ...e.payloads] };
    },
    decode(_meta, payloads) {
      const [json, ...rest] = payloads;
      return structuredCodec.decode(JSON.parse(new TextDecoder().decode(json)), rest) as T;
    },
  };
}
