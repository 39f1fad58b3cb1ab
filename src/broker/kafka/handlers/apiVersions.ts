import { apiVersionsApi } from '../../../protocol/kafka/apis/apiVersions.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import type { KafkaHandler } from '../KafkaHandler.js';

/** ApiVersions v0-2: the APIs this listener serves. (v3+ is answered by the connection, see KafkaConnection.) */
export const apiVersions: KafkaHandler = (ctx, _conn, header, payload) => {
  apiVersionsApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  return apiVersionsApi.encodeResponse(header.apiVersion, header.correlationId, { errorCode: KafkaErrorCode.NONE, apiKeys: ctx.apiVersions, throttleTimeMs: 0 });
};
