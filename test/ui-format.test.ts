import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatCount, formatRate, formatSeconds, padLeft, padRight, truncate } from '../src/ui/format.ts';

test('counts use SI prefixes with about three significant digits', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(812), '812');
  assert.equal(formatCount(12_345), '12.3k');
  assert.equal(formatCount(812_000), '812k');
  assert.equal(formatCount(3_140_000), '3.1M');
  assert.equal(formatCount(999_960), '1.0M');
  assert.equal(formatCount(1.25e9), '1.3G');
});

test('rates are frequencies', () => {
  assert.equal(formatRate(812_300), '812 kHz');
  assert.equal(formatRate(2_400_000), '2.4 MHz');
  assert.equal(formatRate(85_300), '85.3 kHz');
  assert.equal(formatRate(0), '');
  assert.equal(formatRate(Number.NaN), '');
});

test('durations read naturally from milliseconds to hours', () => {
  assert.equal(formatSeconds(0.354), '0.35 s');
  assert.equal(formatSeconds(3.44), '3.4 s');
  assert.equal(formatSeconds(59.9), '59.9 s');
  assert.equal(formatSeconds(125), '2m05s');
  assert.equal(formatSeconds(3725), '1h02m');
});

test('bytes and fixed-width cells', () => {
  assert.equal(formatBytes(1_200_000_000), '1.2 GB');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
  assert.equal(padRight('ab', 4), 'ab  ');
  assert.equal(padLeft('ab', 4), '  ab');
  assert.equal(padLeft('abcdef', 4).length, 4);
});
