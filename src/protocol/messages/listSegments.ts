import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';

/**
 * ListSegments: the segments overlapping a sequence range.
 *
 * Request (type 10): ListSegmentsRequest { start: long, end: null|long }
 * Response (type 10, RESPONSE): ListSegmentsResponse { segments: array<SegmentInfo> }
 */
export interface ListSegmentsRequest {
  readonly start: number;
  readonly end: number | null;
}

export interface SegmentInfo {
  readonly id: number;
  readonly startSeq: number;
  readonly startTimeMs: number;
  readonly endSeq: number;
  readonly sealed: boolean;
  readonly records: number;
  readonly bytes: number;
  readonly lastAppendTimeMs: number;
}

export interface ListSegmentsResponse {
  readonly segments: SegmentInfo[];
}

export const ListSegments = defineMessage<ListSegmentsRequest, ListSegmentsResponse>(MessageType.ListSegments, 'ListSegments', 'list-segments.request', 'list-segments.response');
