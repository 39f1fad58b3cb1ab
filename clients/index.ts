/**
 * The odlog TypeScript client: connect to a broker, append, scan, subscribe.
 *
 * @example
 * import { OdlogClient } from 'odlog/client';
 * const client = await OdlogClient.connect({ broker: '127.0.0.1:7070' });
 */
export { OdlogClient, parseBrokerAddress, type ClientOptions, type ScanPage, type ScanRange } from './OdlogClient.js';
export type { HeaderInput, RecordInput } from './RecordInput.js';
export type { AppendOptions, AppendResult } from './AppendOptions.js';
export type { Bytes } from './Bytes.js';
export { Producer, ProducerBufferFullError, type ProducerOptions } from './Producer.js';
export { Consumer, type ConsumerOptions, type AutoCommitOptions } from './Consumer.js';
export { BrokerConnection, type BrokerConnectionOptions, type ReconnectOptions } from './BrokerConnection.js';
export type { ConnectionEventMap, ConnectionEventName } from './ConnectionEvents.js';
export { socketTransports, type SocketOptions } from './transport/SocketTransport.js';
export type { Transport, TransportFactory } from './transport/Transport.js';
export * from './errors.js';
export type { Entry, KeyEntry } from '../src/protocol/batch/EntryBatchCodec.js';
export type { RecordHeader } from '../src/protocol/batch/RecordHeader.js';
export type { ProtocolVersion } from '../src/protocol/ProtocolVersion.js';
export type { StatsResponse, CursorLag } from '../src/protocol/messages/stats.js';
export type { SegmentInfo } from '../src/protocol/messages/listSegments.js';
export type { CursorInfo } from '../src/protocol/messages/getCursor.js';
export type { CursorState } from '../src/protocol/messages/listCursors.js';
export { ErrorCode } from '../src/protocol/ErrorCode.js';
export { encodeRecordBatch, type RecordBytes } from '../src/protocol/batch/RecordBatchCodec.js';
