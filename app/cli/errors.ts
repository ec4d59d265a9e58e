/** A command was called wrongly: shown as it is, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
