import { defineMessage } from '../Message.js';
import { MessageType } from '../MessageType.js';
import type { AvroRecord, AvroValue } from '../schema/AvroSchema.js';
import { everyVersion, published } from '../schema/BodySchema.js';
import { emptyRequest, emptyResponse } from './empty.js';

/**
 * A backup streamed over the connection, in three messages (the same in every version):
 *
 * - BackupBegin (type 21, admin only): the broker writes a consistent, compacted copy of the log
 *   on its own disk while appends go on, and answers with its id, the file name a restored data
 *   directory must give it, its size, and the exclusive end of the sequences it holds.
 * - BackupRead (type 22): up to `maxBytes` of the copy from `offset`; an empty chunk at or past
 *   its end.
 * - BackupEnd (type 23): the copy is deleted.
 *
 * A copy belongs to the connection that began it (another connection gets NOT_FOUND) and is
 * deleted when that connection closes, or when it is not read for a while (then NOT_FOUND too).
 * At most a few copies exist at once: beyond them BackupBegin is LIMIT_EXCEEDED.
 *
 * ```
 * 00000008 15 02 0000 0000000e
 * length 8, BackupBegin, version 2, request, #14 (no body)
 * 00000016 15 02 0001 0000000e | 02 | 0e 6c6f672e6d6462 | 80808001 | 58
 * length 22, BackupBegin, version 2, response, #14 | backupId 1 | fileName "log.mdb" | bytes 1048576 | sequence 44
 * 0000000b 16 02 0000 0000000f | 02 | 00 | 08
 * length 11, BackupRead, version 2, request, #15 | backupId 1 | offset 0 | maxBytes 4
 * 0000000d 16 02 0001 0000000f | 08 de0bc0be
 * length 13, BackupRead, version 2, response, #15 | chunk: 4 bytes
 * 00000009 17 02 0000 00000010 | 02
 * length 9, BackupEnd, version 2, request, #16 | backupId 1
 * ```
 */
export const backupBeginResponseSchema = {
  type: 'record',
  name: 'BackupBeginResponse',
  namespace: 'odlog',
  fields: [
    { name: 'backupId', type: 'long', doc: 'Names the copy in BackupRead and BackupEnd' },
    { name: 'fileName', type: 'string', doc: 'The name the copy must have in a data directory to be served (today log.mdb)' },
    { name: 'bytes', type: 'long', doc: 'The size of the copy' },
    { name: 'sequence', type: 'long', doc: 'The copy holds every sequence below this (whole commits only)' },
  ],
} as const satisfies AvroRecord;

export const backupReadRequestSchema = {
  type: 'record',
  name: 'BackupReadRequest',
  namespace: 'odlog',
  fields: [
    { name: 'backupId', type: 'long' },
    { name: 'offset', type: 'long', doc: 'Byte position in the copy; >= 0' },
    { name: 'maxBytes', type: 'int', doc: 'Most bytes to answer; clamped to 1..backupReadBytesMax (1 MiB)' },
  ],
} as const satisfies AvroRecord;

export const backupReadResponseSchema = {
  type: 'record',
  name: 'BackupReadResponse',
  namespace: 'odlog',
  fields: [{ name: 'chunk', type: 'bytes', doc: 'The bytes from offset; empty at or past the end of the copy' }],
} as const satisfies AvroRecord;

export const backupEndRequestSchema = {
  type: 'record',
  name: 'BackupEndRequest',
  namespace: 'odlog',
  fields: [{ name: 'backupId', type: 'long' }],
} as const satisfies AvroRecord;

export type BackupBeginResponse = AvroValue<typeof backupBeginResponseSchema>;
export type BackupReadRequest = AvroValue<typeof backupReadRequestSchema>;
export type BackupReadResponse = AvroValue<typeof backupReadResponseSchema>;
export type BackupEndRequest = AvroValue<typeof backupEndRequestSchema>;

export const BackupBegin = defineMessage(MessageType.BackupBegin, 'BackupBegin', emptyRequest, everyVersion(published('backup-begin.response', backupBeginResponseSchema)));

export const BackupRead = defineMessage(
  MessageType.BackupRead,
  'BackupRead',
  everyVersion(published('backup-read.request', backupReadRequestSchema)),
  everyVersion(published('backup-read.response', backupReadResponseSchema)),
);

export const BackupEnd = defineMessage(MessageType.BackupEnd, 'BackupEnd', everyVersion(published('backup-end.request', backupEndRequestSchema)), emptyResponse);
