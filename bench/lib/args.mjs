/**
 * Command-line options of the bench scripts: `--name value`, a name may repeat
 * (`--build A=… --build B=…`); `opt` takes the last one given.
 */
export function cliOptions(argv = process.argv.slice(2)) {
  /** Every value given for `--name`, in order. */
  const all = (name) => argv.flatMap((a, i) => (a === `--${name}` ? [argv[i + 1]] : []));
  /** The last value given for `--name`, or `def`. */
  const opt = (name, def) => all(name).at(-1) ?? def;
  return { all, opt };
}
