import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from '../io.ts';
import type { CliSettings } from '../settings.ts';

/** What every command gets: where to write, and the settings resolved from its flags and the environment. */
export interface CommandContext {
  io: CliIo;
  settings(command: Command): CliSettings;
}

export function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}
