import type { Socket } from 'node:net';
import { limits } from '../limits.js';

/**
 * Coalesced, accounted output for one socket: frames queued in one tick go out as one
 * `writev` (cork/uncork), and `pendingBytes` counts what is queued here plus what the socket
 * still holds, so the connection can stop producing output when a peer reads slowly.
 */
export class OutboundQueue {
  private frames: Buffer[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private closed = false;
  /** Bytes handed to the socket so far. */
  sentBytes = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onSent: (bytes: number) => void = () => undefined,
  ) {}

  /** Bytes not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    this.frames.push(frame);
    this.queuedBytes += frame.length;
    if (this.queuedBytes >= limits.outputCoalesceBytes) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.frames.length === 0 || this.closed) return;
    const frames = this.frames;
    this.frames = [];
    this.sentBytes += this.queuedBytes;
    this.onSent(this.queuedBytes);
    this.queuedBytes = 0;
    if (frames.length === 1) {
      this.socket.write(frames[0]);
      return;
    }
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
  }

  /** Drop everything queued (the connection is going away). */
  close(): void {
    this.closed = true;
    this.frames = [];
    this.queuedBytes = 0;
  }
}
