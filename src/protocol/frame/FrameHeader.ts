/**
 * Every frame on the wire:
 *
 * ```
 *   offset  size  field
 *   0       4     length          u32 BE: bytes after this field (header + body)
 *   4       1     messageType     see MessageType
 *   5       1     version         protocol version (1)
 *   6       2     flags           u16 BE: 0x1 RESPONSE, 0x2 ERROR, 0x4 PUSH
 *   8       4     correlationId   u32 BE: chosen by the requester, echoed in the response;
 *                                 the subscription id in a push
 *   12      ...   body            Avro, per message type and flags
 * ```
 */
export const lengthBytes = 4;
export const headerBytes = 8;
/** Length prefix plus header: where the body starts in a frame buffer. */
export const bodyOffset = lengthBytes + headerBytes;

export const FrameFlags = {
  Response: 0x1,
  Error: 0x2,
  Push: 0x4,
} as const;

export interface FrameHeader {
  readonly messageType: number;
  readonly version: number;
  readonly flags: number;
  readonly correlationId: number;
}

/** A whole frame: its header and its body bytes. */
export interface Frame extends FrameHeader {
  readonly body: Buffer;
}

export function writeHeader(buf: Buffer, bodyLength: number, header: FrameHeader): void {
  buf.writeUInt32BE(headerBytes + bodyLength, 0);
  buf.writeUInt8(header.messageType, 4);
  buf.writeUInt8(header.version, 5);
  buf.writeUInt16BE(header.flags, 6);
  buf.writeUInt32BE(header.correlationId >>> 0, 8);
}

export function readHeader(buf: Buffer, at: number): FrameHeader {
  return {
    messageType: buf.readUInt8(at),
    version: buf.readUInt8(at + 1),
    flags: buf.readUInt16BE(at + 2),
    correlationId: buf.readUInt32BE(at + 4),
  };
}
