import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyRequest } from './empty.js';

/**
 * Stats (type 15): the broker's figures (also printed as Prometheus text by
 * `odlog stats --format prometheus`). Admin only. The same in every version.
 */
export const statsResponseSchema = {
  type: 'record',
  name: 'StatsResponse',
  namespace: 'odlog',
  fields: [
    { name: 'brokerVersion', type: 'string' },
    { name: 'uptimeMs', type: 'long' },
    { name: 'connections', type: 'int' },
    { name: 'subscriptions', type: 'int' },
    { name: 'requestsTotal', type: 'long' },
    { name: 'appendedRecordsTotal', type: 'long' },
    { name: 'appendedBytesTotal', type: 'long' },
    { name: 'deliveredRecordsTotal', type: 'long' },
    { name: 'appendRecordsPerSec', type: 'double', doc: 'Over the last 10 s' },
    { name: 'deliverRecordsPerSec', type: 'double' },
    { name: 'errorsTotal', type: 'long' },
    { name: 'authFailuresTotal', type: 'long' },
    { name: 'queuedBatches', type: 'int' },
    { name: 'queuedBytes', type: 'long' },
    { name: 'commitsInFlight', type: 'int' },
    { name: 'committedSequence', type: 'long' },
    { name: 'durableSequence', type: 'long' },
    { name: 'segments', type: 'int' },
    { name: 'storedRecords', type: 'long' },
    { name: 'storedBytes', type: 'long' },
    { name: 'dataFileBytes', type: 'long' },
    { name: 'rssBytes', type: 'long' },
    {
      name: 'cursors',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'CursorLag',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'sequence', type: 'long' },
            { name: 'lagRecords', type: 'long', doc: 'Entries it follows at or after its sequence' },
            { name: 'lagIsLowerBound', type: 'boolean', doc: 'True when counting stopped at a bound (huge prefix)' },
          ],
        },
      },
    },
  ],
} as const satisfies AvroRecord;

export type StatsResponse = AvroValue<typeof statsResponseSchema>;
export type CursorLag = StatsResponse['cursors'][number];

export const Stats = defineMessage(MessageType.Stats, 'Stats', emptyRequest, everyVersion(published('stats.response', statsResponseSchema)));
