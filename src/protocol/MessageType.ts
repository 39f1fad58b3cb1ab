/**
 * Every message type, numbered once. A request and its response share the number (the response
 * carries the RESPONSE flag); pushes are broker-initiated frames with the PUSH flag.
 */
export const MessageType = {
  Hello: 1,
  Ping: 2,
  Append: 3,
  Scan: 4,
  Subscribe: 5,
  Credit: 6,
  Unsubscribe: 7,
  Count: 8,
  ListKeys: 9,
  ListSegments: 10,
  Seal: 11,
  Flush: 12,
  CommitCursor: 13,
  GetCursor: 14,
  Stats: 15,
  ListCursors: 16,
  DeleteCursor: 17,
  ResetCursor: 18,
  Trim: 19,
  DeleteKey: 20,
  BackupBegin: 21,
  BackupRead: 22,
  BackupEnd: 23,
  /** Push: entries for a subscription (correlation id = subscription id). */
  SubscriptionBatch: 32,
  /** Push: the broker ended a subscription. */
  SubscriptionEnd: 33,
} as const;

export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const names = new Map<number, string>(Object.entries(MessageType).map(([name, type]) => [type, name]));

export function messageTypeName(type: number): string {
  return names.get(type) ?? `unknown(${type})`;
}
