/** Once-a-second progress: rewritten in place on a TTY, one plain line per second otherwise. */
export class Progress {
  private readonly tty: boolean;
  private lastLength = 0;

  constructor(private readonly quiet: boolean, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  update(line: string): void {
    if (this.quiet) return;
    if (this.tty) {
      this.stream.write(`\r${line.padEnd(this.lastLength)}`);
      this.lastLength = line.length;
    } else this.stream.write(line + '\n');
  }

  done(): void {
    if (!this.quiet && this.tty && this.lastLength > 0) this.stream.write('\n');
    this.lastLength = 0;
  }
}
