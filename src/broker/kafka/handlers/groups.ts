import { limits } from '../../../limits.js';
import { findCoordinatorApi, CoordinatorKeyType } from '../../../protocol/kafka/apis/findCoordinator.js';
import { heartbeatApi } from '../../../protocol/kafka/apis/heartbeat.js';
import { joinGroupApi } from '../../../protocol/kafka/apis/joinGroup.js';
import { leaveGroupApi } from '../../../protocol/kafka/apis/leaveGroup.js';
import { syncGroupApi } from '../../../protocol/kafka/apis/syncGroup.js';
import { KafkaErrorCode } from '../../../protocol/kafka/KafkaErrorCode.js';
import { isValidGroupId, mayUseGroup } from '../group/GroupAccess.js';
import type { KafkaHandler } from '../KafkaHandler.js';
import { brokerNodeId } from './metadata.js';

/** FindCoordinator v0-2: this broker coordinates every group. Transaction coordinators do not exist (fatal for the client). */
export const findCoordinator: KafkaHandler = (_ctx, conn, header, payload) => {
  const request = findCoordinatorApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const encode = (errorCode: number, errorMessage: string | null): Buffer =>
    findCoordinatorApi.encodeResponse(header.apiVersion, header.correlationId, {
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      nodeId: errorCode === KafkaErrorCode.NONE ? brokerNodeId : -1,
      host: errorCode === KafkaErrorCode.NONE ? conn.advertised.host : '',
      port: errorCode === KafkaErrorCode.NONE ? conn.advertised.port : -1,
    });
  if (request.keyType === CoordinatorKeyType.transaction) {
    conn.refuse('transactions', { transactionalId: request.key, reason: 'transactions are not supported (TRANSACTIONAL_ID_AUTHORIZATION_FAILED)' });
    return encode(KafkaErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'odlog does not support transactions');
  }
  if (request.keyType !== CoordinatorKeyType.group) return encode(KafkaErrorCode.INVALID_REQUEST, `coordinator key type ${request.keyType} is unknown`);
  return encode(KafkaErrorCode.NONE, null);
};

/** JoinGroup v0-5 (see ConsumerGroup). */
export const joinGroup: KafkaHandler = async (ctx, conn, header, payload) => {
  const request = joinGroupApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const encode = (r: { errorCode: number; generationId: number; protocolName: string; leader: string; memberId: string; members: readonly { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[] }): Buffer =>
    joinGroupApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, ...r });
  const refuse = (errorCode: number): Buffer => encode({ errorCode, generationId: -1, protocolName: '', leader: '', memberId: request.memberId, members: [] });
  if (!isValidGroupId(request.groupId)) return refuse(KafkaErrorCode.INVALID_GROUP_ID);
  if (!mayUseGroup(ctx, conn, request.groupId)) {
    conn.refuse(`group_forbidden:${request.groupId}`, { group: request.groupId, reason: 'the group has offsets for topics this token may not read' });
    return refuse(KafkaErrorCode.GROUP_AUTHORIZATION_FAILED);
  }
  const result = await ctx.coordinator.join(request.groupId, {
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: conn.clientId,
    clientHost: conn.remoteHost,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
    requireKnownMemberId: header.apiVersion >= 4,
  });
  if (result.errorCode === KafkaErrorCode.INVALID_SESSION_TIMEOUT) {
    conn.refuse('session_timeout', { group: request.groupId, sessionTimeoutMs: request.sessionTimeoutMs, reason: `session timeouts are ${limits.kafkaSessionTimeoutMsMin}..${limits.kafkaSessionTimeoutMsMax} ms` });
  }
  return encode(result);
};

/** SyncGroup v0-3: the leader's assignments in, each member's own out. */
export const syncGroup: KafkaHandler = async (ctx, _conn, header, payload) => {
  const request = syncGroupApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const result = await ctx.coordinator.sync(request.groupId, request.memberId, request.generationId, request.assignments);
  return syncGroupApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, ...result });
};

/** Heartbeat v0-3: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
export const heartbeat: KafkaHandler = (ctx, _conn, header, payload) => {
  const request = heartbeatApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  const errorCode = ctx.coordinator.heartbeat(request.groupId, request.memberId, request.generationId);
  return heartbeatApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode });
};

/** LeaveGroup v0-3: the member (v3: each member) leaves, and the rest rebalance. */
export const leaveGroup: KafkaHandler = (ctx, _conn, header, payload) => {
  const request = leaveGroupApi.decodeRequest(header.apiVersion, payload, header.bodyOffset);
  if (header.apiVersion < 3) {
    const errorCode = ctx.coordinator.leave(request.groupId, request.memberId);
    return leaveGroupApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode, members: [] });
  }
  const members = request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ctx.coordinator.leave(request.groupId, m.memberId) }));
  return leaveGroupApi.encodeResponse(header.apiVersion, header.correlationId, { throttleTimeMs: 0, errorCode: KafkaErrorCode.NONE, members });
};
