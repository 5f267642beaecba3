import type { CommandIO } from '../../cli/command.ts';

/** A non-interactive CLI IO that keeps every line, so tests can assert on stdout and stderr. */
export function captureIo(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    interactive: false,
  };
}
