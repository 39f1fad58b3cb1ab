import { apiKeyName, supportedRange, type ApiKeyNumber } from '../ApiKeys.js';
import { encodeRequestFrame, type RequestHeaderFields } from '../frame/RequestHeader.js';
import { encodeResponseFrame } from '../frame/ResponseFrame.js';
import { KafkaDecodeError } from '../KafkaDecodeError.js';
import type { KafkaType } from '../schema/KafkaType.js';
import { KafkaReader } from '../wire/KafkaReader.js';
import { KafkaWriter } from '../wire/KafkaWriter.js';

/**
 * One Kafka API: its request and response schemas for every supported version, and the four
 * directions a codec needs. The broker uses `decodeRequest` and `encodeResponse`; clients, the
 * load harness and the tests use the other two.
 *
 * Versions outside the API's supported range (`ApiKeys.ts`) are refused: on decode with a
 * KafkaDecodeError (UNSUPPORTED_VERSION), on encode with a RangeError (a caller bug).
 *
 * @example
 * const header = decodeRequestHeader(payload);
 * const request = produceApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
 * socket.write(produceApi.encodeResponse(header.apiVersion, header.correlationId, response));
 */
export class KafkaApi<Request, Response> {
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;

  constructor(
    readonly apiKey: ApiKeyNumber,
    private readonly request: KafkaType<Request>,
    private readonly response: KafkaType<Response>,
  ) {
    const range = supportedRange(apiKey);
    if (range === undefined) throw new Error(`${apiKeyName(apiKey)} has no supported version range in ApiKeys.ts`);
    this.name = apiKeyName(apiKey);
    this.minVersion = range.minVersion;
    this.maxVersion = range.maxVersion;
  }

  supports(version: number): boolean {
    return Number.isInteger(version) && version >= this.minVersion && version <= this.maxVersion;
  }

  /**
   * Decode a request body: `bytes[offset, end)` must hold exactly one body of this version
   * (leftover bytes are refused). Byte fields of the result are views of `bytes`.
   */
  decodeRequest(version: number, bytes: Buffer, offset = 0, end = bytes.length): Request {
    this.checkDecodeVersion(version, 'request');
    const reader = new KafkaReader(bytes, offset, end);
    const request = this.request.read(reader, version);
    reader.expectEnd(`a ${this.name} v${version} request`);
    return request;
  }

  /** A whole response frame (size, correlation id, body), ready for `socket.write`. */
  encodeResponse(version: number, correlationId: number, response: Response): Buffer {
    this.checkEncodeVersion(version);
    return encodeResponseFrame(correlationId, this.response.size(response, version), (w) => this.response.write(w, response, version));
  }

  /** A response body alone (no size, no correlation id). */
  encodeResponseBody(version: number, response: Response): Buffer {
    this.checkEncodeVersion(version);
    const w = new KafkaWriter(this.response.size(response, version));
    this.response.write(w, response, version);
    return w.finish();
  }

  /** Decode a response body: `bytes[offset, end)` must hold exactly one body of this version. */
  decodeResponse(version: number, bytes: Buffer, offset = 0, end = bytes.length): Response {
    this.checkDecodeVersion(version, 'response');
    const reader = new KafkaReader(bytes, offset, end);
    const response = this.response.read(reader, version);
    reader.expectEnd(`a ${this.name} v${version} response`);
    return response;
  }

  /** A whole request frame (size, header v1, body), ready for `socket.write`. */
  encodeRequest(version: number, header: RequestHeaderFields, request: Request): Buffer {
    this.checkEncodeVersion(version);
    return encodeRequestFrame(this.apiKey, version, header, this.request.size(request, version), (w) => this.request.write(w, request, version));
  }

  /** A request body alone (no size, no header). */
  encodeRequestBody(version: number, request: Request): Buffer {
    this.checkEncodeVersion(version);
    const w = new KafkaWriter(this.request.size(request, version));
    this.request.write(w, request, version);
    return w.finish();
  }

  private checkDecodeVersion(version: number, what: string): void {
    if (!this.supports(version)) {
      throw new KafkaDecodeError('UNSUPPORTED_VERSION', `${this.name} ${what} version ${version} is not supported (versions ${this.minVersion}-${this.maxVersion} are)`);
    }
  }

  private checkEncodeVersion(version: number): void {
    if (!this.supports(version)) throw new RangeError(`${this.name} version ${version} is not supported (versions ${this.minVersion}-${this.maxVersion} are)`);
  }
}
