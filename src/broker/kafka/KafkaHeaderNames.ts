/**
 * The reserved record headers the Kafka listener writes and reads (names starting `odlog.` are
 * odlog's own; Kafka producers may not send them). See docs/kafka.md, "Mapping".
 */
export const KafkaHeaderNames = {
  /** The Kafka record key, stored with the record (absent: a null key). */
  key: 'odlog.kafka.key',
  /** Present (with a null value) when the Kafka record's value was null (a tombstone); the
   *  stored value is then empty. */
  nullValue: 'odlog.kafka.null-value',
  /** Added on fetch: the record's odlog sequence, as decimal ASCII. */
  sequence: 'odlog.sequence',
} as const;

/** Prefix of every reserved header name. */
export const reservedPrefix = 'odlog.';
