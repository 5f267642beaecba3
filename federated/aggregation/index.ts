export * from './clip.ts';
export * from './fedavg.ts';
export * from './server-optimizer.ts';
