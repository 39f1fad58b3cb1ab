import { expect } from 'chai';
import { ApiKey, apiKeyName, apiVersionsEntries, firstFlexibleVersion, isSupportedVersion, supportedApiVersions } from '../../../../src/protocol/kafka/ApiKeys.js';
import { KafkaErrorCode, kafkaErrorName } from '../../../../src/protocol/kafka/KafkaErrorCode.js';
import { kafkajsModule } from './kafkaTestKit.js';

describe('Kafka API key and error code tables', () => {
  it('number the API keys as kafkajs does (kafkajs names FindCoordinator GroupCoordinator and ElectLeaders ElectPreferredLeaders)', () => {
    const theirs = kafkajsModule<Record<string, number>>('requests/apiKeys');
    const renamed: Record<string, string> = { GroupCoordinator: 'FindCoordinator', ElectPreferredLeaders: 'ElectLeaders' };
    for (const [name, key] of Object.entries(theirs)) {
      expect(ApiKey[(renamed[name] ?? name) as keyof typeof ApiKey], name).to.equal(key);
    }
    expect(apiKeyName(0)).to.equal('Produce');
    expect(apiKeyName(999)).to.equal('ApiKey(999)');
  });

  it('number the error codes as kafkajs does', () => {
    const { errorCodes } = kafkajsModule<{ errorCodes: { type: string; code: number }[] }>('error');
    const renamed: Record<string, string> = { UNKNOWN: 'UNKNOWN_SERVER_ERROR', NOT_LEADER_FOR_PARTITION: 'NOT_LEADER_OR_FOLLOWER', GROUP_LOAD_IN_PROGRESS: 'COORDINATOR_LOAD_IN_PROGRESS', GROUP_COORDINATOR_NOT_AVAILABLE: 'COORDINATOR_NOT_AVAILABLE', NOT_COORDINATOR_FOR_GROUP: 'NOT_COORDINATOR' };
    for (const { type, code } of errorCodes) {
      expect(kafkaErrorName(code), `${type} (${code})`).to.equal(renamed[type] ?? type);
    }
    expect(KafkaErrorCode.UNSUPPORTED_COMPRESSION_TYPE).to.equal(76);
    expect(kafkaErrorName(9999)).to.equal('ERROR(9999)');
  });

  it('support only versions below each API\'s first flexible version', () => {
    for (const r of supportedApiVersions) {
      const flexible = firstFlexibleVersion[r.apiKey];
      if (flexible !== undefined) expect(r.maxVersion, apiKeyName(r.apiKey)).to.be.lessThan(flexible);
    }
    expect(firstFlexibleVersion[ApiKey.SaslHandshake]).to.equal(undefined);
  });

  it('answer version questions and build the ApiVersions list, whole or filtered', () => {
    expect(isSupportedVersion(ApiKey.Fetch, 11)).to.equal(true);
    expect(isSupportedVersion(ApiKey.Fetch, 3)).to.equal(false);
    expect(isSupportedVersion(ApiKey.DeleteTopics, 3)).to.equal(true);
    expect(isSupportedVersion(ApiKey.DeleteTopics, 4)).to.equal(false);
    expect(isSupportedVersion(ApiKey.DeleteGroups, 0)).to.equal(false);
    expect(apiVersionsEntries()).to.have.length(21);
    expect(apiVersionsEntries(new Set([ApiKey.Produce, ApiKey.ApiVersions])).map((e) => e.apiKey)).to.deep.equal([0, 18]);
  });
});
