export * from './axis.ts';
export * from './hist.ts';
export * from './binary.ts';
export * from './collection.ts';
export * from './artifact.ts';
