import type { ParseArgsConfig } from 'node:util';

/** One option of a subcommand; the help text is generated from these, so they are the documentation. */
export type OptionSpec = {
  type: 'string' | 'boolean';
  description: string;
  multiple?: boolean;
  /** Shown as the value placeholder in help, e.g. FILE. */
  value?: string;
  required?: boolean;
};

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

export type Command = {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Returns the process exit code. Throw UsageError for bad arguments. */
  run(options: ParsedOptions, io: CommandIO): Promise<number>;
};

export type CommandIO = {
  out(line: string): void;
  err(line: string): void;
  /** True when stderr is a terminal, so progress bars may be drawn. */
  interactive: boolean;
};

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {}

export function parseArgsConfig(command: Command): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, multiple: spec.multiple ?? false };
  }
  return options;
}

export function helpText(command: Command): string {
  const lines = [`breadcast ${command.name} — ${command.summary}`, '', 'Options:'];
  for (const [name, spec] of Object.entries(command.options)) {
    const flag = spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
    const note = [spec.required ? '(required)' : '', spec.multiple ? '(repeatable)' : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`  ${flag.padEnd(30)} ${spec.description}${note ? ' ' + note : ''}`);
  }
  lines.push(`  ${'--help'.padEnd(30)} Show this help.`);
  return lines.join('\n');
}

/** Reads a required string option or fails with a usage error naming it. */
export function requireString(options: ParsedOptions, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalNumber(
  options: ParsedOptions,
  name: string,
  check: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new UsageError(`--${name} takes a number`);
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${name} takes a number, got "${raw}"`);
  if (check.integer && !Number.isInteger(value))
    throw new UsageError(`--${name} takes a whole number, got "${raw}"`);
  if (check.min !== undefined && value < check.min)
    throw new UsageError(`--${name} must be at least ${check.min}`);
  if (check.max !== undefined && value > check.max)
    throw new UsageError(`--${name} must be at most ${check.max}`);
  return value;
}
