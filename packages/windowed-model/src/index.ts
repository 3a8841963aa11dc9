export * from './contract.ts';
export * from './pack.ts';
export * from './probs.ts';
export * from './model.ts';
