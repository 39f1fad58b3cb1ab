/** Bytes that do not decode as the schema says (truncated, overflowing, lying lengths). */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';
}
