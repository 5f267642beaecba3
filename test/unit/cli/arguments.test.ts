import { describe, expect, it } from 'vitest';
import { captureIo } from '../../support/cli-io.ts';
import { main } from '../../../cli/main.ts';

describe('breadcast CLI arguments', () => {
  it('lists the commands with --help and exits 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/Usage: breadcast <command>/);
    expect(io.stdout.join('\n')).toMatch(/\bshop\b/);
  });

  it('refuses an unknown command with one line and exit 2', async () => {
    const io = captureIo();
    expect(await main(['bake-everything'], io)).toBe(2);
    expect(io.stderr).toEqual(['breadcast: unknown command "bake-everything" (try --help)']);
  });

  it('refuses an unknown option with one line and exit 2', async () => {
    const io = captureIo();
    expect(await main(['shop', '--db', 'x.sqlite', '--colour', 'red'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^breadcast shop: .*--colour/);
  });

  it('refuses a missing required option', async () => {
    const io = captureIo();
    expect(await main(['shop'], io)).toBe(2);
    expect(io.stderr).toEqual(['breadcast shop: --db is required']);
  });

  it('refuses a port that is not a whole number in range', async () => {
    for (const port of ['abc', '1.5', '70000', '-1']) {
      const io = captureIo();
      expect(await main(['shop', '--db', 'x.sqlite', '--port', port], io)).toBe(2);
      expect(io.stderr[0]).toMatch(/--port/);
    }
  });

  it('prints per-command help generated from the option specs', async () => {
    const io = captureIo();
    expect(await main(['shop', '--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/--db FILE .*\(required\)/);
  });
});
