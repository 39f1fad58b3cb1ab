import { limits } from '../../limits.js';
import type { RecordHeader } from '../../protocol/batch/RecordHeader.js';
import { encodeHeaderBlock, type BatchHeaders } from '../../storage/index.js';

/**
 * The headers of an Append's records (as walked from a version 2 record batch) as the storage's
 * header blocks, one per record (empty for a record without): checked against the header bounds,
 * with reserved `odlog.` names refused (InvalidArgumentError, answered INVALID_REQUEST).
 *
 * @example
 * const walked = walkRecordBatch(bytes, max, 0, bytes.length, 2);
 * const headers = walked.headers !== undefined ? headerBlocks(walked.headers, walked.count) : undefined;
 */
export function headerBlocks(headers: readonly (readonly RecordHeader[] | undefined)[], count: number): BatchHeaders {
  const blocks: Buffer[] = [];
  const ends = new Uint32Array(count);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const record = headers[i];
    if (record !== undefined) {
      const block = encodeHeaderBlock(record, limits, `record ${i}`);
      blocks.push(block);
      size += block.length;
    }
    ends[i] = size;
  }
  return { buffer: Buffer.concat(blocks, size), ends };
}

