/** One input line: its number (from 1) and its bytes without the line break. */
export interface InputLine {
  readonly number: number;
  readonly bytes: Buffer;
}

/** A line longer than the reader's bound: it was not kept. */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  constructor(
    readonly lineNumber: number,
    readonly bytesMax: number,
  ) {
    super(`line ${lineNumber} is longer than ${bytesMax} bytes`);
  }
}

/**
 * Lines of a byte stream, split on `\n` (a `\r` before it is dropped too), as raw bytes: input
 * that is not UTF-8 reaches the log unchanged. A last line without a line break counts; an empty
 * input has no lines. A line longer than `lineBytesMax` throws LineTooLongError as soon as it is
 * seen, so memory is bounded whatever the input. Reading pauses while the consumer of the lines
 * is busy (the stream is read with `for await`).
 *
 * @example
 * for await (const line of readLines(process.stdin, 16 * 1024 * 1024)) send(line.bytes);
 */
export async function* readLines(input: AsyncIterable<Buffer | string>, lineBytesMax: number): AsyncGenerator<InputLine, void, undefined> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let number = 0;
  const line = (tail: Buffer): InputLine => {
    let bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    parts = [];
    partBytes = 0;
    return { number: ++number, bytes };
  };
  for await (const chunk of input) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (let nl = data.indexOf(0x0a, from); nl >= 0; nl = data.indexOf(0x0a, from)) {
      if (partBytes + (nl - from) > lineBytesMax + 1) throw new LineTooLongError(number + 1, lineBytesMax);
      yield line(data.subarray(from, nl));
      from = nl + 1;
    }
    if (from < data.length) {
      partBytes += data.length - from;
      if (partBytes > lineBytesMax + 1) throw new LineTooLongError(number + 1, lineBytesMax);
      parts.push(data.subarray(from));
    }
  }
  if (partBytes > 0) yield line(Buffer.alloc(0));
}
