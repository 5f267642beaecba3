export * from './version.ts';
export * from './weights.ts';
export * from './signing.ts';
export * from './rounds.ts';
export * from './shop.ts';
export * from './operator.ts';
export * from './privacy-policy.ts';
