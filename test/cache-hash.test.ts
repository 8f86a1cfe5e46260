// Hashing for cache keys: sha256 against published test vectors and node:crypto, canonical JSON
// against JSON semantics, source hashes against what must and must not invalidate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, functionSourceHash, hashKey, normaliseSource, sha256, sha256Concat } from '../cache/hash.ts';

test('sha256 matches the FIPS 180-2 test vectors and hashes only a view\'s bytes', () => {
  assert.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  const all = new Float64Array([1, 2, 3, 4, 5]);
  const view = all.subarray(1, 3);
  const expected = createHash('sha256').update(Buffer.from(all.buffer, 8, 16)).digest('hex');
  assert.equal(sha256(view), expected);
  assert.equal(sha256Concat(['ab', new TextEncoder().encode('c')]), sha256('abc'));
});

test('canonicalJson is JSON with sorted keys, independent of insertion order', () => {
  const a = { b: 1, a: { d: [1, 'x', true, null], c: 'é"\n' } };
  const b = { a: { c: 'é"\n', d: [1, 'x', true, null] }, b: 1 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.deepEqual(JSON.parse(canonicalJson(a)), a);
  assert.equal(canonicalJson(a), '{"a":{"c":"é\\"\\n","d":[1,"x",true,null]},"b":1}');
  assert.equal(canonicalJson({ x: 1, u: undefined }), canonicalJson({ x: 1 }));
  assert.equal(canonicalJson([1, undefined]), '[1,null]'); // as JSON.stringify
  assert.equal(canonicalJson(0.1 + 0.2), String(0.1 + 0.2));
  assert.equal(canonicalJson(-0), canonicalJson(0));
});

test('canonicalJson distinguishes what differs and encodes special values deterministically', () => {
  const distinct = [
    null, NaN, Infinity, -Infinity, 0, '0', 10n, [], {}, { $map: [] }, new Map(), new Set(),
    new Float64Array([1, 2]), new Float32Array([1, 2]), new Float64Array([1, 3]), new Uint8Array([1, 2]),
    new Date(0), /x/g, /x/i, () => 1, () => 2,
  ];
  const texts = distinct.map(canonicalJson);
  assert.equal(new Set(texts).size, texts.length, texts.join('\n'));
  assert.equal(canonicalJson(new Map([[1, 'a'], [2, 'b']])), canonicalJson(new Map([[2, 'b'], [1, 'a']])));
  assert.equal(canonicalJson(new Set(['b', 'a'])), canonicalJson(new Set(['a', 'b'])));
  // typed arrays are encoded by the hash of their bytes, so large arrays are cheap and exact
  const big = new Float64Array(1_000_000).map((_, i) => i * 0.5);
  const bigHash = createHash('sha256').update(Buffer.from(big.buffer)).digest('hex');
  assert.ok(canonicalJson({ big }).includes(bigHash));
  class Axis {
    n = 3;
  }
  assert.notEqual(canonicalJson(new Axis()), canonicalJson({ n: 3 }));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => canonicalJson({ a: cyclic }), /cycle at \$\.a\.self/);
  assert.equal(hashKey(['a', 1]), sha256(canonicalJson(['a', 1])));
  assert.notEqual(hashKey(['a', 1]), hashKey([1, 'a']));
});

test('functionSourceHash ignores formatting and comments but not code, strings or line breaks', () => {
  const base = functionSourceHash((e: { n: number; pt: Float32Array }) => e.n >= 2 && e.pt[0]! > 25);
  const reformatted = functionSourceHash(
    (e: {
      n: number;
      pt: Float32Array;
    }) =>
      // at least two leptons
      e.n >= 2 /* and a hard one */ &&
      e.pt[0]! > 25,
  );
  assert.equal(base, reformatted);
  assert.notEqual(base, functionSourceHash((e: { n: number; pt: Float32Array }) => e.n >= 2 && e.pt[0]! > 30));
  assert.notEqual(base, functionSourceHash((e: { n: number; pt: Float32Array }) => e.n > 2 && e.pt[0]! > 25));

  // whitespace inside literals is significant
  assert.notEqual(normaliseSource("f('a  b')"), normaliseSource("f('a b')"));
  assert.notEqual(normaliseSource('f(`a  ${x}  b`)'), normaliseSource('f(`a ${x} b`)'));
  assert.notEqual(normaliseSource('/a  b/.test(s)'), normaliseSource('/a b/.test(s)'));
  assert.equal(normaliseSource('x = "// not a comment"'), 'x="// not a comment"');
  assert.equal(normaliseSource('f(`${ a + `${ b }` }`)'), 'f(`${a+`${b}`}`)');
  // operators that would merge into another token keep their space
  assert.notEqual(normaliseSource('a - -b'), normaliseSource('a--b'));
  assert.notEqual(normaliseSource('a + +b'), normaliseSource('a++b'));
  // a line break alone can change meaning (ASI): `return\nx` returns undefined; `a\n++b` is `a; ++b`
  assert.notEqual(normaliseSource('return\nx'), normaliseSource('return x'));
  assert.notEqual(normaliseSource('a\n++b'), normaliseSource('a++\nb'));
  assert.equal(normaliseSource('a\n\n    \n  b'), normaliseSource('a b'));
  assert.equal(normaliseSource('  a  =  1 ;  '), 'a=1;');
  // bound functions all print as native code: refused rather than all hashing alike
  const sel = (x: number) => x > 1;
  assert.throws(() => functionSourceHash(sel.bind(null)), /bound sel.*bound function hides its code/);
  assert.throws(() => canonicalJson({ where: sel.bind(null) }), /bound function/);
  assert.notEqual(functionSourceHash(Math.sqrt), functionSourceHash(Math.cbrt));
});
