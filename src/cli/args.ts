import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];

/**
 * Parses a subcommand's arguments the same way for every command: `--help` prints the usage (exit 0), a
 * bad option prints the problem and the usage (exit 2). Returns the exit code instead of values then.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  usage: string,
  argv: string[],
  options: O,
): { values: Values<O>; positionals: string[] } | number {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(usage + '\n');
      return 0;
    }
    return { values: values as Values<O>, positionals };
  } catch (e) {
    return usageError(command, usage, (e as Error).message);
  }
}

export function usageError(command: string, usage: string, message: string): number {
  process.stderr.write(`mask-gate ${command}: ${message}\n${usage}\n`);
  return 2;
}

/** Loads the config for a command; on problems prints them all and returns exit code 1. */
export function loadConfigForCommand(file: string | undefined): Config | number {
  try {
    return loadConfig({ file });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`mask-gate: invalid config\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
