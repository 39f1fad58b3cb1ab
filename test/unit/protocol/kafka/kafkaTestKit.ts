/**
 * Helpers for the Kafka codec tests: kafkajs as an independent oracle (its CommonJS protocol
 * modules loaded by path), typed-error expectations, and leaf-value comparison of decoded objects.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';

const require = createRequire(import.meta.url);

/** A kafkajs protocol module under `kafkajs/src/protocol/`, e.g. `requests/produce/v3/request`. */
export function kafkajsModule<T>(path: string): T {
  return require(`kafkajs/src/protocol/${path}`) as T;
}

interface KafkajsEncoder {
  readonly buffer: Buffer;
}

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  encode(): Promise<KafkajsEncoder>;
}

/** The body bytes kafkajs's request encoder writes for `args` (no size, no header). */
export async function kafkajsRequestBody(api: string, version: number, args: unknown): Promise<Buffer> {
  const factory = kafkajsModule<(args: unknown) => KafkajsRequest>(`requests/${api}/v${version}/request`);
  const request = factory(args);
  expect(request.apiVersion).to.equal(version);
  return (await request.encode()).buffer;
}

interface KafkajsResponseModule {
  readonly decode: (raw: Buffer) => Promise<unknown>;
}

/**
 * kafkajs's decode of a response body (without correlation id). A few response modules
 * (DeleteRecords) are factories of the request's topics, used by `parse` only: given none here.
 */
export async function kafkajsResponse(api: string, version: number, body: Buffer): Promise<unknown> {
  const module = kafkajsModule<KafkajsResponseModule | ((request: { topics: readonly unknown[] }) => KafkajsResponseModule)>(`requests/${api}/v${version}/response`);
  const { decode } = typeof module === 'function' ? module({ topics: [] }) : module;
  return decode(body);
}

/** Run `fn`, expecting it to throw an instance of `type` (with `code`, when given); return the error. */
export function expectThrows<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E, code?: string): E {
  try {
    fn();
  } catch (error) {
    expect(error, `threw ${String(error)}`).to.be.instanceOf(type);
    if (code !== undefined) expect((error as E & { code: string }).code, (error as Error).message).to.equal(code);
    return error as E;
  }
  expect.fail(`expected ${type.name}${code === undefined ? '' : ` ${code}`}, but nothing was thrown`);
}

/** Every leaf of a value (numbers, strings, booleans, bytes as hex) as strings. */
export function leaves(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (value instanceof Uint8Array) {
    out.push(`hex:${Buffer.from(value).toString('hex')}`);
  } else if (Array.isArray(value)) {
    for (const v of value) leaves(v, out);
  } else if (typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) leaves(v, out);
  } else {
    out.push(String(value));
  }
  return out;
}

/**
 * Sample values are "distinctive" when no default or sentinel could equal them by chance:
 * numbers of 100 and above, strings starting with "x-", bytes starting with 0xAB.
 */
export function isDistinctive(leaf: string): boolean {
  if (leaf.startsWith('x-') || leaf.startsWith('hex:ab')) return true;
  return /^\d+$/.test(leaf) && Number(leaf) >= 100;
}

/**
 * The distinctive leaves of `sent`, in order, appear in the leaves of `received` in the same
 * order. Both sides build objects in wire order, so a value read from the wrong place (or two
 * fields of one type swapped) breaks the order even when the value itself exists elsewhere.
 */
export function expectDistinctiveLeavesIn(sent: unknown, received: unknown): void {
  const pool = leaves(received);
  let at = 0;
  for (const leaf of leaves(sent).filter(isDistinctive)) {
    while (at < pool.length && pool[at] !== leaf) at++;
    expect(at, `value ${leaf} was sent but not received in order (received: ${pool.filter(isDistinctive).join(' ')})`).to.be.lessThan(pool.length);
    at++;
  }
}
