import { gunzipSync } from 'node:zlib';
import { KafkaDecompressionError } from './KafkaDecompressionError.js';

/**
 * Inflate a gzip stream (Kafka codec 1) with `node:zlib`, refusing to produce more than
 * `maxBytes`: zlib stops at the bound instead of inflating a zip bomb to the end. Synchronous:
 * the bound keeps the time spent proportional to what a batch may hold.
 */
export function gunzipBounded(data: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new KafkaDecompressionError('TOO_LARGE', `gzip data inflates to more than ${maxBytes} bytes`);
    throw new KafkaDecompressionError('MALFORMED', `gzip data does not inflate: ${(error as Error).message}`);
  }
}
