// Argument parsers shared by the scripts' commander programs.
import { parseIsoDate } from '@predictq/simulation';
import { type Command, CommanderError, InvalidArgumentError } from 'commander';

/** Exit code for bad arguments or unreadable inputs, as usual for command-line tools. */
export const USAGE_ERROR = 2;

/**
 * Parses argv with a program made with exitOverride(), then `check`s the options together. Bad
 * options exit with USAGE_ERROR (commander prints why; a failed check's message is printed
 * here), --help with 0.
 */
export function parseOrExit<T>(command: Command, argv: readonly string[], check: () => T): T {
  try {
    command.parse(argv);
  } catch (error) {
    process.exit(error instanceof CommanderError && error.exitCode === 0 ? 0 : USAGE_ERROR);
  }
  try {
    return check();
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exit(USAGE_ERROR);
  }
}

export function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}].`);
    }
    return n;
  };
}

export function decimal(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a number in [${min}, ${max}].`);
    }
    return n;
  };
}

/** Seeds are 32-bit: createRng keeps 32 bits, so a wider seed would repeat another's data. */
export const seed = integer(-(2 ** 31), 2 ** 31 - 1);

/** A calendar date, YYYY-MM-DD. */
export function isoDate(value: string): string {
  try {
    parseIsoDate(value);
  } catch {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD.');
  }
  return value;
}

/** A list of seeds: "1..5" (a range), "1,4,9" (a list), or one seed. */
export function seedList(value: string): number[] {
  const range = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(value);
  const seeds = range
    ? Array.from(
        { length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) },
        (_, i) => Number(range[1]) + i,
      )
    : value.split(',').map((part) => seed(part));
  if (seeds.length === 0 || seeds.length > 1000) {
    throw new InvalidArgumentError('expected 1 to 1000 seeds: a range 1..5, or a list 1,4,9');
  }
  return seeds.map((s) => seed(String(s)));
}
