/**
 * A server that speaks odlog's protocol and acknowledges every append at once without storing
 * it: driving it shows how far the load generator alone goes (the harness's own ceiling).
 * Run: node dist/bench/harness/targets/discardServer.js [port]
 */
import { createServer, type Socket } from 'node:net';
import { walkRecordBatch } from '../../../src/protocol/batch/RecordBatchCodec.js';
import { ErrorCode } from '../../../src/protocol/ErrorCode.js';
import { FrameDecoder } from '../../../src/protocol/frame/FrameDecoder.js';
import { encodeFrame } from '../../../src/protocol/frame/FrameEncoder.js';
import { FrameFlags, type Frame } from '../../../src/protocol/frame/FrameHeader.js';
import { MessageType } from '../../../src/protocol/MessageType.js';
import { baseProtocolVersion as protocolVersion } from '../../../src/protocol/ProtocolVersion.js';
import { Append } from '../../../src/protocol/messages/append.js';
import { errorBody } from '../../../src/protocol/messages/error.js';
import { Hello } from '../../../src/protocol/messages/hello.js';

let nextSequence = 0;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  let out: Buffer[] = [];
  let scheduled = false;
  const send = (frame: Buffer): void => {
    out.push(frame);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        const frames = out;
        out = [];
        socket.cork();
        for (const f of frames) socket.write(f);
        socket.uncork();
      });
    }
  };
  const header = (frame: Frame, flags: number): { messageType: number; version: number; flags: number; correlationId: number } => ({
    messageType: frame.messageType,
    version: protocolVersion,
    flags,
    correlationId: frame.correlationId,
  });
  socket.on('data', (chunk: Buffer) =>
    decoder.push(chunk, {
      frame(frame) {
        if (frame.messageType === MessageType.Hello) {
          send(encodeFrame(header(frame, FrameFlags.Response), Hello.response.at(1), {
            protocolVersion,
            brokerVersion: 'discard',
            authenticated: true,
            supportedMessages: [MessageType.Hello, MessageType.Append],
            limits: { frameBytesMax: 64 << 20, keyBytesMax: 4096, valueBytesMax: 8 << 20, batchRecordsMax: 100_000, batchBytesMax: 16 << 20, inFlightRequestsMax: 1 << 20, subscriptionsPerConnectionMax: 0, producerWindowBatches: 64 },
          }));
        } else if (frame.messageType === MessageType.Append) {
          const request = Append.request.at(1).decode(frame.body);
          const count = walkRecordBatch(request.records, 100_000).count;
          const startSequence = nextSequence;
          nextSequence += count;
          send(encodeFrame(header(frame, FrameFlags.Response), Append.response.at(1), { startSequence, count, duplicate: false }));
        } else {
          send(encodeFrame(header(frame, FrameFlags.Response | FrameFlags.Error), errorBody.at(1), {
            code: ErrorCode.UnknownMessage,
            message: 'the discard server answers Hello and Append only',
            retryable: false,
            conflictKey: null,
            conflictLastSequence: null,
          }));
        }
      },
      oversized: () => socket.destroy(),
      malformed: () => socket.destroy(),
    }),
  );
  socket.on('error', () => undefined);
}

const server = createServer(serve);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const a = server.address();
  if (a !== null && typeof a === 'object') console.log(`discard listening on ${a.address}:${a.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
