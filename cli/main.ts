import { parseArgs } from 'node:util';
import { helpText, parseArgsConfig, UsageError, type Command, type CommandIO } from './command.ts';
import { commandLoaders } from './commands/index.ts';

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: breadcast <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`),
    '',
    'Run `breadcast <command> --help` for its options.',
  ].join('\n');
}

const processIO: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  interactive: Boolean(process.stderr.isTTY),
};

export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await overview());
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(commandLoaders, name) ? commandLoaders[name] : undefined;
  const command: Command | undefined = load ? await load() : undefined;
  if (!command) {
    io.err(`breadcast: unknown command "${name}" (try --help)`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: parseArgsConfig(command),
      strict: true,
      allowPositionals: true,
    }) as {
      values: Record<string, string | boolean | string[] | undefined>;
      positionals: string[];
    };
    if (values.help) {
      io.out(helpText(command));
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    for (const [option, spec] of Object.entries(command.options)) {
      if (spec.required && values[option] === undefined)
        throw new UsageError(`--${option} is required`);
    }
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`breadcast ${name}: ${(error as Error).message.split('\n')[0]}`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
