import { ErrorCode } from '../../protocol/ErrorCode.js';
import { walkRecordBatch } from '../../protocol/batch/RecordBatchCodec.js';
import type { AppendRequest, AppendResponse } from '../../protocol/messages/append.js';
import { RecordBatch } from '../../storage/index.js';
import { BrokerError } from '../BrokerError.js';
import type { Handler } from './Handler.js';
import { headerBlocks } from './headerBlocks.js';

/**
 * Walk the wire batch in place, check permissions, and append it as it is. In version 2 the
 * records' headers become storage header blocks (which refuse reserved `odlog.` names with
 * InvalidArgumentError, answered INVALID_REQUEST); a batch without headers is appended exactly as
 * in version 1.
 */
export const append: Handler<AppendRequest, AppendResponse> = async (ctx, conn, request, version) => {
  if (request.timeoutMs < 0) throw new BrokerError(ErrorCode.InvalidRequest, `timeoutMs cannot be negative (got ${request.timeoutMs}); 0 fails at once when the write queue is full, more waits that long`);
  const walked = walkRecordBatch(request.records, ctx.config.batchRecordsMax, 0, request.records.length, version);
  const headers = walked.headers !== undefined ? headerBlocks(walked.headers, walked.count) : undefined;
  const batch = new RecordBatch(walked.buffer, walked.offsets, walked.count, walked.payloadBytes + (headers?.buffer.length ?? 0), headers);
  const permissions = conn.permissions;
  for (let i = 0; i < batch.count; i++) {
    if (!permissions.canAppend(batch.key(i))) throw forbidden(batch.key(i));
  }
  for (const e of request.expect) if (!permissions.canRead(e.key)) throw forbidden(e.key);
  const output = await ctx.log.append(batch, {
    expect: request.expect.length > 0 ? request.expect : undefined,
    timeoutMs: request.timeoutMs > 0 ? request.timeoutMs : undefined,
    producer: request.producerId !== null ? { id: request.producerId, batchNumber: request.batchNumber } : undefined,
  });
  if (request.awaitDurable) await ctx.log.whenDurable(output.startSequence + output.count - 1);
  if (!output.duplicate) ctx.stats.appended(output.count, walked.payloadBytes);
  return { startSequence: output.startSequence, count: output.count, duplicate: output.duplicate === true };
};

function forbidden(key: Buffer): BrokerError {
  return new BrokerError(ErrorCode.Forbidden, `this token may not append to key ${JSON.stringify(key.toString('utf8'))}`);
}
