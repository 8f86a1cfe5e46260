export * from './jagged.ts';
export * from './flat.ts';
export * from './combinations.ts';
export * from './lorentz.ts';
export * from './collection.ts';
export * from './events.ts';
export * from './selection.ts';
export * from './random.ts';
export { choose, deltaPhi, deltaR } from './math.ts';
