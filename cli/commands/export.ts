import { existsSync, writeFileSync } from 'node:fs';
import { openDatabase } from '../../electron/store/database.ts';
import { exportCsv } from '../../electron/logs/export.ts';
import { requireString, UsageError, type Command } from '../command.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export every product and daily log of a bakery database to CSV (the import format).',
  options: {
    db: { type: 'string', value: 'FILE', description: 'The bakery database.', required: true },
    out: {
      type: 'string',
      value: 'FILE',
      description: 'Where to write the CSV ("-" for stdout).',
      required: true,
    },
  },
  async run(options, io) {
    const dbPath = requireString(options, 'db');
    const out = requireString(options, 'out');
    if (!existsSync(dbPath)) throw new UsageError(`--db: no such database "${dbPath}"`);
    const db = openDatabase(dbPath, { readonly: true });
    try {
      const { csv, rows } = exportCsv(db);
      if (out === '-') await writeToStdout(csv);
      else {
        writeFileSync(out, csv);
        io.err(`Exported ${rows} rows to ${out}.`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};

/**
 * Writes to stdout and waits until it is flushed. A reader that stops early (`| head`) closes
 * the pipe: that is the reader's choice, not a failure, so the export ends quietly.
 */
function writeToStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') resolve();
      else reject(error);
    };
    process.stdout.on('error', onError);
    process.stdout.write(text, (error) => {
      if (!error) resolve();
    });
  });
}
