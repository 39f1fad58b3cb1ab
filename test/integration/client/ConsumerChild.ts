import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/LogFixture.js';

const script = fileURLToPath(new URL('./children/forAwaitConsumer.js', import.meta.url));

export interface ChildEvent {
  readonly event: 'subscribed' | 'entry' | 'ended' | 'error' | 'closed';
  readonly sequence?: number;
  readonly value?: string;
  readonly name?: string;
  readonly message?: string;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `children/forAwaitConsumer.js` as a process of its own: what it printed, parsed, and how it
 * exited. Each wait polls the child's output with a deadline; a child that exits early makes the
 * wait fail at once with its stderr.
 */
export class ConsumerChild {
  readonly events: ChildEvent[] = [];
  stderr = '';
  private exit: ChildExit | undefined;
  private readonly exited: Promise<ChildExit>;
  private partial = '';

  private constructor(private readonly child: ChildProcess) {
    running.add(child);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.events.push(JSON.parse(line) as ChildEvent);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  static async start(options: object): Promise<ConsumerChild> {
    const child = new ConsumerChild(spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await child.waitFor((c) => c.events.some((e) => e.event === 'subscribed'), 'the child to subscribe', 20_000);
    return child;
  }

  get entries(): ChildEvent[] {
    return this.events.filter((e) => e.event === 'entry');
  }

  /** How the child exited; undefined while it runs. */
  get exitStatus(): ChildExit | undefined {
    return this.exit;
  }

  /** Wait until `condition` holds, failing at once (with the child's stderr) if the child exits first. */
  async waitFor(condition: (child: ConsumerChild) => boolean, what: string, deadlineMs = 20_000): Promise<void> {
    await waitFor(
      () => {
        if (condition(this)) return true;
        if (this.exit !== undefined) throw new Error(`the child exited (code ${this.exit.code}, signal ${this.exit.signal}) while waiting for ${what}; events ${JSON.stringify(this.events.slice(-3))}; stderr:\n${this.stderr}`);
        return false;
      },
      what,
      deadlineMs,
    );
  }

  waitForExit(deadlineMs = 20_000): Promise<ChildExit> {
    return Promise.race([this.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the child did not exit within ${deadlineMs} ms; events ${JSON.stringify(this.events.slice(-3))}`)), deadlineMs).unref())]);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL if still running. */
  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }
}
