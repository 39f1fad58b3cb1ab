/**
 * A failure the CLI reports as one line on stderr and an exit status; anything else that escapes
 * a command is a bug and is printed with its stack.
 *
 * Exit statuses: 1 the broker refused or failed a request; 2 no broker could be reached;
 * 64 usage mistake (UsageError); 65 bad input data; 66 an input file cannot be read; 73 an output
 * directory cannot be used (odlog backup into a non-empty DIR).
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** No broker could be reached, or the connection could not be set up (TLS): exit status 2. */
export class CannotConnectError extends CliError {
  override readonly name = 'CannotConnectError';
  constructor(message: string) {
    super(message, 2);
  }
}

/** Input that cannot become a record (bad base64, a line without its key delimiter, too large): exit 65. */
export class InputDataError extends CliError {
  override readonly name = 'InputDataError';
  constructor(message: string) {
    super(message, 65);
  }
}

/** A file named on the command line cannot be read (--file, --tls-ca): exit 66. */
export class InputFileError extends CliError {
  override readonly name = 'InputFileError';
  constructor(message: string) {
    super(message, 66);
  }
}

/** Why a file could not be opened, in words (`no such file`), for one-line messages. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: { [code: string]: string } = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a part of the path is not a directory' };
  return code !== undefined && words[code] !== undefined ? `${words[code]}, ${code}` : (error as Error).message;
}
