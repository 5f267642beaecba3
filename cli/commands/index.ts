import type { Command } from '../command.ts';
import { backtestCommand } from './backtest.ts';
import { benchCommand } from './bench.ts';
import { coordinatorCommand } from './coordinator.ts';
import { demoCommand } from './demo.ts';
import { exportCommand } from './export.ts';
import { forecastCommand } from './forecast.ts';
import { importCommand } from './import.ts';
import { privacyCommand } from './privacy.ts';
import { shopCommand } from './shop.ts';
import { simulateCommand } from './simulate.ts';
import { startCommand } from './start.ts';
import { trainCommand } from './train.ts';

/** Every subcommand, in the order `breadcast --help` lists them. */
export const commands: Command[] = [startCommand, shopCommand, importCommand, exportCommand, trainCommand, forecastCommand, backtestCommand, privacyCommand, coordinatorCommand, simulateCommand, demoCommand, benchCommand];
