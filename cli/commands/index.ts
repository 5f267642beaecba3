import type { Command } from '../command.ts';

/**
 * Every subcommand, in the order `breadcast --help` lists them. Loaded on demand: a command
 * pulls in only its own stack (TF.js, Fastify, SQLite…), so `breadcast privacy` does not pay
 * for the bakery backend.
 */
export const commandLoaders: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.ts')).startCommand,
  shop: async () => (await import('./shop.ts')).shopCommand,
  import: async () => (await import('./import.ts')).importCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  train: async () => (await import('./train.ts')).trainCommand,
  forecast: async () => (await import('./forecast.ts')).forecastCommand,
  backtest: async () => (await import('./backtest.ts')).backtestCommand,
  privacy: async () => (await import('./privacy.ts')).privacyCommand,
  coordinator: async () => (await import('./coordinator.ts')).coordinatorCommand,
  simulate: async () => (await import('./simulate.ts')).simulateCommand,
  'generate-bakery': async () => (await import('./generate-bakery.ts')).generateBakeryCommand,
  demo: async () => (await import('./demo.ts')).demoCommand,
  bench: async () => (await import('./bench.ts')).benchCommand,
};
