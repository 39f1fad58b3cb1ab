import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { EmptyRequest } from './admin.js';

/**
 * Stats: the broker's figures (also printed as Prometheus text by `odlog stats --format prometheus`).
 *
 * Request (type 15): EmptyRequest {}
 * Response: StatsResponse (see stats.response.avsc; every field documented there)
 */
export interface CursorLag {
  readonly name: string;
  readonly sequence: number;
  readonly lagRecords: number;
  readonly lagIsLowerBound: boolean;
}

export interface StatsResponse {
  readonly brokerVersion: string;
  readonly uptimeMs: number;
  readonly connections: number;
  readonly subscriptions: number;
  readonly requestsTotal: number;
  readonly appendedRecordsTotal: number;
  readonly appendedBytesTotal: number;
  readonly deliveredRecordsTotal: number;
  readonly appendRecordsPerSec: number;
  readonly deliverRecordsPerSec: number;
  readonly errorsTotal: number;
  readonly authFailuresTotal: number;
  readonly queuedBatches: number;
  readonly queuedBytes: number;
  readonly commitsInFlight: number;
  readonly committedSequence: number;
  readonly durableSequence: number;
  readonly segments: number;
  readonly storedRecords: number;
  readonly storedBytes: number;
  readonly dataFileBytes: number;
  readonly rssBytes: number;
  readonly cursors: CursorLag[];
}

export const Stats = defineMessage<EmptyRequest, StatsResponse>(MessageType.Stats, 'Stats', 'empty.request', 'stats.response');
