import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';

/** ListSegments (type 10): the segments overlapping a sequence range, oldest first. The same in every version. */
export const listSegmentsRequestSchema = {
  type: 'record',
  name: 'ListSegmentsRequest',
  namespace: 'odlog',
  fields: [
    { name: 'start', type: 'long', default: 0 },
    { name: 'end', type: ['null', 'long'], default: null },
  ],
} as const satisfies AvroRecord;

export const listSegmentsResponseSchema = {
  type: 'record',
  name: 'ListSegmentsResponse',
  namespace: 'odlog',
  fields: [
    {
      name: 'segments',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'SegmentInfo',
          fields: [
            { name: 'id', type: 'long' },
            { name: 'startSeq', type: 'long' },
            { name: 'startTimeMs', type: 'long' },
            { name: 'endSeq', type: 'long' },
            { name: 'sealed', type: 'boolean' },
            { name: 'records', type: 'long' },
            { name: 'bytes', type: 'long' },
            { name: 'lastAppendTimeMs', type: 'long' },
          ],
        },
      },
    },
  ],
} as const satisfies AvroRecord;

export type ListSegmentsRequest = AvroValue<typeof listSegmentsRequestSchema>;
export type ListSegmentsResponse = AvroValue<typeof listSegmentsResponseSchema>;
export type SegmentInfo = ListSegmentsResponse['segments'][number];

export const ListSegments = defineMessage(
  MessageType.ListSegments,
  'ListSegments',
  everyVersion(published('list-segments.request', listSegmentsRequestSchema)),
  everyVersion(published('list-segments.response', listSegmentsResponseSchema)),
);
