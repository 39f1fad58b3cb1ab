import { expect } from 'chai';
import { ApiKey, supportedApiVersions } from '../../../../src/protocol/kafka/ApiKeys.js';
import { apiVersionsApi, encodeApiVersionsUnsupported, isUnsupportedApiVersionsRequest } from '../../../../src/protocol/kafka/apis/apiVersions.js';
import { KafkaFrameDecoder } from '../../../../src/protocol/kafka/frame/KafkaFrameDecoder.js';
import { decodeRequestHeader } from '../../../../src/protocol/kafka/frame/RequestHeader.js';
import { decodeResponseHeader } from '../../../../src/protocol/kafka/frame/ResponseFrame.js';
import { KafkaDecodeError } from '../../../../src/protocol/kafka/KafkaDecodeError.js';
import { KafkaErrorCode } from '../../../../src/protocol/kafka/KafkaErrorCode.js';
import { expectThrows, kafkajsModule } from './kafkaTestKit.js';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

const payloads = [Buffer.alloc(0), Buffer.from('a'), Buffer.alloc(300, 7), Buffer.from('0012000200000001000178', 'hex'), Buffer.alloc(70_000, 3)];
const stream = Buffer.concat(payloads.map(frame));

class Collect {
  readonly frames: string[] = [];
  readonly errors: KafkaDecodeError[] = [];
  frame(payload: Buffer): void {
    this.frames.push(payload.toString('hex'));
  }
  error(error: KafkaDecodeError): void {
    this.errors.push(error);
  }
}

function decode(chunks: readonly Buffer[], max = 1 << 20): { sink: Collect; decoder: KafkaFrameDecoder } {
  const decoder = new KafkaFrameDecoder(max);
  const sink = new Collect();
  for (const c of chunks) decoder.push(c, sink);
  return { sink, decoder };
}

const expected = payloads.map((p) => p.toString('hex'));

describe('KafkaFrameDecoder', () => {
  it('decodes many frames from one chunk, in order', () => {
    const { sink, decoder } = decode([stream]);
    expect(sink.frames).to.deep.equal(expected);
    expect(decoder.inFrame).to.equal(false);
  });

  it('decodes the stream fed one byte at a time', () => {
    const { sink } = decode([...stream].map((b) => Buffer.from([b])));
    expect(sink.frames).to.deep.equal(expected);
    expect(sink.errors).to.deep.equal([]);
  });

  it('decodes the stream split into two chunks at every boundary of the small frames', () => {
    const small = Buffer.concat(payloads.slice(0, 4).map(frame));
    for (let cut = 0; cut <= small.length; cut++) {
      const { sink, decoder } = decode([small.subarray(0, cut), small.subarray(cut)]);
      expect(sink.frames, `cut at ${cut}`).to.deep.equal(expected.slice(0, 4));
      expect(decoder.bufferedBytes).to.equal(0);
    }
  });

  it('refuses a frame over the maximum from its size field, before buffering any of it', () => {
    const header = Buffer.alloc(4);
    header.writeInt32BE(1001, 0);
    const { sink, decoder } = decode([Buffer.concat([frame(Buffer.from('ok')), header])], 1000);
    expect(sink.frames).to.deep.equal([Buffer.from('ok').toString('hex')]);
    expect(sink.errors.map((e) => e.code)).to.deep.equal(['FRAME_TOO_LARGE']);
    expect(decoder.bufferedBytes).to.equal(0);
    expect(decoder.hasFailed).to.equal(true);
    decoder.push(frame(Buffer.from('late')), sink);
    expect(sink.frames).to.have.length(1);
  });

  it('refuses a negative frame size', () => {
    const { sink } = decode([Buffer.from('ffffffff00', 'hex')]);
    expect(sink.errors.map((e) => e.code)).to.deep.equal(['FRAME_SIZE_NEGATIVE']);
  });

  it('holds a partial frame and reports it as in progress', () => {
    const { sink, decoder } = decode([frame(Buffer.alloc(100)).subarray(0, 50)]);
    expect(sink.frames).to.deep.equal([]);
    expect(decoder.inFrame).to.equal(true);
    expect(decoder.bufferedBytes).to.equal(50);
  });
});

describe('Kafka request header', () => {
  it('decodes api key, version, correlation id and client id, and where the body starts', () => {
    const payload = Buffer.from('00030008000000630005782d6b6366ab', 'hex');
    expect(decodeRequestHeader(payload)).to.deep.equal({ apiKey: 3, apiVersion: 8, correlationId: 99, clientId: 'x-kcf', bodyOffset: 15 });
    expect(decodeRequestHeader(Buffer.from('000000070000000affff', 'hex')).clientId).to.equal(null);
  });

  it('refuses a payload shorter than its header at every length', () => {
    const payload = Buffer.from('0003000800000063000678', 'hex');
    for (let cut = 0; cut < payload.length; cut++) expectThrows(() => decodeRequestHeader(payload.subarray(0, cut)), KafkaDecodeError, 'TRUNCATED');
  });
});

describe('ApiVersions v3 from librdkafka and the Java client', () => {
  // An ApiVersions v3 request as librdkafka sends it: header v2 (client id, then an empty tagged
  // field section) and a compact body (client software name and version, tagged fields).
  const v3Request = Buffer.from('0012000300000001' + '000772646b61666b6100' + '0b6c696272646b61666b61' + '06322e302e3200', 'hex');

  it('recognises the flexible request from its header alone', () => {
    const header = decodeRequestHeader(v3Request);
    expect(header).to.include({ apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    expect(isUnsupportedApiVersionsRequest(header)).to.equal(true);
    expect(isUnsupportedApiVersionsRequest({ ...header, apiVersion: 2 })).to.equal(false);
    expect(isUnsupportedApiVersionsRequest({ ...header, apiKey: ApiKey.Metadata })).to.equal(false);
  });

  it('answers UNSUPPORTED_VERSION with the API list in the v0 body format', () => {
    const answer = encodeApiVersionsUnsupported(1);
    expect(answer.readInt32BE(0)).to.equal(answer.length - 4);
    const { correlationId, bodyOffset } = decodeResponseHeader(answer.subarray(4));
    expect(correlationId).to.equal(1);
    const body = apiVersionsApi.decodeResponse(0, answer.subarray(4), bodyOffset);
    expect(body.errorCode).to.equal(KafkaErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys).to.deep.equal(supportedApiVersions.map((r) => ({ ...r })));
    expect(body.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions)).to.deep.equal({ apiKey: 18, minVersion: 0, maxVersion: 2 });
    // Exactly: size, correlation id, error code, count, then 6 bytes per API.
    expect(answer.length).to.equal(4 + 4 + 2 + 4 + 6 * supportedApiVersions.length);
  });

  it('is recognised by kafkajs\'s ApiVersions v0 decoder as UNSUPPORTED_VERSION', async () => {
    const { decode } = kafkajsModule<{ decode: (b: Buffer) => Promise<unknown> }>('requests/apiVersions/v0/response');
    const answer = encodeApiVersionsUnsupported(1);
    let thrown: unknown;
    try {
      await decode(answer.subarray(8));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { type?: string }).type).to.equal('UNSUPPORTED_VERSION');
  });
});
