/**
 * Helpers shared by the protocol unit tests: hex, fixtures, value normalisation, and a frame
 * sink that records what a FrameDecoder reports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ProtocolDecodeError } from '../../../src/protocol/avro/ProtocolDecodeError.js';
import type { FrameSink } from '../../../src/protocol/frame/FrameDecoder.js';
import type { Frame, FrameHeader } from '../../../src/protocol/frame/FrameHeader.js';

/** The repository root (the directory holding odlog's package.json), found from this file. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'odlog') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the odlog repository root');
    dir = up;
  }
})();

export const schemaDir = join(repoRoot, 'src', 'protocol', 'schemas');
export const fixtureDir = join(repoRoot, 'test', 'fixtures');

/** Parse hex text, ignoring whitespace; refuses anything but lowercase hex digits. */
export function fromHex(text: string): Buffer {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/.test(digits)) throw new Error('not lowercase hex with an even number of digits');
  return Buffer.from(digits, 'hex');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A committed fixture's bytes (`test/fixtures/<name>.hex`). */
export function readFixture(name: string): Buffer {
  return fromHex(readFileSync(join(fixtureDir, `${name}.hex`), 'utf8'));
}

/** A deep copy with every Buffer/Uint8Array replaced by its hex, for deep-equal comparisons. */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `hex:${hex(value)}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** Run `fn`, expecting a ProtocolDecodeError (and nothing else: not a RangeError, not a hang). */
export function expectDecodeError(fn: () => unknown, what = ''): ProtocolDecodeError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) expect.fail(`expected a ProtocolDecodeError${what ? ` (${what})` : ''}, nothing was thrown`);
  expect(thrown, `${what}: ${String(thrown)}`).to.be.instanceOf(ProtocolDecodeError);
  return thrown as ProtocolDecodeError;
}

export type DecoderEvent =
  | { readonly kind: 'frame'; readonly header: FrameHeader; readonly body: string }
  | { readonly kind: 'oversized'; readonly length: number; readonly header: FrameHeader | undefined }
  | { readonly kind: 'malformed'; readonly reason: string };

/** A FrameSink that records every callback (bodies as hex, so later pushes cannot alter them). */
export class RecordingSink implements FrameSink {
  readonly events: DecoderEvent[] = [];

  frame(frame: Frame): void {
    const { messageType, version, flags, correlationId } = frame;
    this.events.push({ kind: 'frame', header: { messageType, version, flags, correlationId }, body: hex(frame.body) });
  }

  oversized(length: number, header: FrameHeader | undefined): void {
    this.events.push({ kind: 'oversized', length, header: header === undefined ? undefined : { ...header } });
  }

  malformed(reason: string): void {
    this.events.push({ kind: 'malformed', reason });
  }

  get frames(): { header: FrameHeader; body: string }[] {
    return this.events.flatMap((e) => (e.kind === 'frame' ? [{ header: e.header, body: e.body }] : []));
  }
}
