// What ends a command early. main.ts prints the message on one line and exits with the code; no stack
// traces reach the user, because every failure the CLI expects is one of these.

export const EXIT_FAILURE = 1; // the server refused or failed, or could not be reached
export const EXIT_USAGE = 2; // the command line was wrong

export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    /** The server's stable error code (TOPIC_NOT_FOUND, …) when the server refused the request. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
