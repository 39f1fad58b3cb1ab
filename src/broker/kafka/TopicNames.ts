/**
 * Which keys are Kafka topics. A topic is the odlog key of the same bytes; Kafka clients refuse
 * other names (and some tools use '.' and '..' as paths), so keys that are not legal topic
 * names are invisible through the Kafka listener.
 */
export const topicNameBytesMax = 249;

const legal = /^[a-zA-Z0-9._-]+$/;

/**
 * Whether `name` is a legal Kafka topic name: 1..249 of `[a-zA-Z0-9._-]`, and not `.` or `..`.
 * @example isLegalTopicName('orders.eu-1') // true; isLegalTopicName('tenant:a') // false
 */
export function isLegalTopicName(name: string): boolean {
  return name.length > 0 && name.length <= topicNameBytesMax && name !== '.' && name !== '..' && legal.test(name);
}

/** The same test on a key's bytes (listings give keys as bytes). */
export function isLegalTopicKey(key: Buffer): boolean {
  if (key.length === 0 || key.length > topicNameBytesMax) return false;
  for (const byte of key) {
    const ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2e || byte === 0x5f || byte === 0x2d;
    if (!ok) return false;
  }
  return !(key.length <= 2 && key.every((b) => b === 0x2e));
}
