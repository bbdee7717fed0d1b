/**
 * What the command line names, read before commander parses it: main.ts and
 * run.ts decide from it what to load.
 */

/** The first word of `argv` that is not an option (nor the value of `--db`): the command group's name. */
export function commandName(argv: readonly string[]): string | null {
  for (let index = 2; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--db') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

/** Whether the command line asks for the version and not for help (commander shows help then). */
export function versionOnly(argv: readonly string[]): boolean {
  const options = argv.slice(2);
  return (
    options.some((arg) => arg === '-V' || arg === '--version') &&
    !options.some((arg) => arg === '-h' || arg === '--help')
  );
}
