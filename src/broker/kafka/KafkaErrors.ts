import { KafkaErrorCode } from '../../protocol/kafka/KafkaErrorCode.js';
import { KafkaRecordBatchError } from '../../protocol/kafka/records/KafkaRecordBatchError.js';
import { LogError } from '../../storage/index.js';

/**
 * The Kafka error code of a failure while serving one partition: what the client does next
 * depends on it (retriable codes are retried, after a metadata refresh for NOT_LEADER).
 *
 * | failure | code | client |
 * |---|---|---|
 * | a batch refused by its checks | its KafkaRecordBatchError code | fails the send (CORRUPT_MESSAGE retries) |
 * | InvalidArgument from storage | INVALID_RECORD | fails the send |
 * | write queue full, timeout | REQUEST_TIMED_OUT | retries |
 * | log closed (shutdown) | NOT_LEADER_OR_FOLLOWER | refreshes metadata, reconnects, retries |
 * | storage failure | KAFKA_STORAGE_ERROR | retries |
 * | anything else | UNKNOWN_SERVER_ERROR | fails; logged as an error |
 */
export function kafkaCodeOf(error: unknown): number {
  if (error instanceof KafkaRecordBatchError) return error.kafkaErrorCode;
  if (error instanceof LogError) {
    switch (error.code) {
      case 'INVALID_ARGUMENT':
        return KafkaErrorCode.INVALID_RECORD;
      case 'QUEUE_FULL':
      case 'TIMEOUT':
        return KafkaErrorCode.REQUEST_TIMED_OUT;
      case 'CLOSED':
        return KafkaErrorCode.NOT_LEADER_OR_FOLLOWER;
      default:
        return KafkaErrorCode.KAFKA_STORAGE_ERROR;
    }
  }
  return KafkaErrorCode.UNKNOWN_SERVER_ERROR;
}
