import { readEntryBatch, type Entry } from '../../src/protocol/batch/EntryBatchCodec.js';
import type { Frame } from '../../src/protocol/frame/FrameHeader.js';
import { SubscriptionBatchPush } from '../../src/protocol/messages/subscriptionBatch.js';
import { SubscriptionEndPush, type SubscriptionEnd } from '../../src/protocol/messages/subscriptionEnd.js';
import { isProtocolVersion, type ProtocolVersion } from '../../src/protocol/ProtocolVersion.js';

/** The protocol version a frame carries (a push is in its Subscribe's version). */
export function frameVersion(frame: Pick<Frame, 'version'>): ProtocolVersion {
  if (!isProtocolVersion(frame.version)) throw new Error(`a frame of protocol version ${frame.version}, which this build does not speak`);
  return frame.version;
}

/** The entries of a SubscriptionBatch push, read in the push's version. */
export function pushedEntries(frame: Frame): Entry[] {
  const version = frameVersion(frame);
  return readEntryBatch(SubscriptionBatchPush.body.at(version).decode(frame.body).entries, version);
}

/** The body of a SubscriptionEnd push. */
export function pushedEnd(frame: Frame): SubscriptionEnd {
  return SubscriptionEndPush.body.at(frameVersion(frame)).decode(frame.body);
}
