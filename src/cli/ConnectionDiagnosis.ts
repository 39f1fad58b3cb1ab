import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { BrokerAddress } from './BrokerAddress.js';

/** What the CLI asked for: plaintext, or TLS trusting `ca` (undefined: the system's CAs). */
export interface TransportWanted {
  readonly tls: boolean;
  readonly ca?: Buffer;
  /** Where `ca` came from, for the message. */
  readonly caFile?: string;
}

/** The outcome of one probe: it connected (and, for TLS, the handshake passed), or the error's code and message. */
type Probe = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** Certificate verification failures (OpenSSL's names, as Node gives them in `error.code`). */
const untrustedCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TCP-level failures: nothing about TLS can be said. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNRESET']);

function probe(address: BrokerAddress, tls: { ca?: Buffer; verify: boolean } | undefined, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = tls === undefined
      ? netConnect({ host: address.host, port: address.port })
      : tlsConnect({ host: address.host, port: address.port, ca: tls.ca, rejectUnauthorized: tls.verify, servername: /^[\d.]+$|:/.test(address.host) ? undefined : address.host });
    const finish = (result: Probe): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => finish({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, code: error.code ?? 'UNKNOWN', message: error.message }));
    socket.once('close', () => finish({ ok: false, code: 'ECONNRESET', message: 'the connection was closed during the handshake' }));
  });
}

/**
 * Why connecting failed, found by trying again by hand: is anything listening, does it speak TLS,
 * is its certificate trusted. Returns the cause and what to do, in one sentence, or undefined when
 * the probes connect fine (the failure was something else, reported as the client saw it).
 *
 * @example
 * const why = await diagnoseConnection(address, { tls: false }, 3000);
 * // 'the broker at 127.0.0.1:7070 speaks TLS and this connection did not; pass --tls-ca FILE …'
 */
export async function diagnoseConnection(address: BrokerAddress, wanted: TransportWanted, timeoutMs: number): Promise<string | undefined> {
  const tcp = await probe(address, undefined, timeoutMs);
  if (!tcp.ok) {
    if (tcp.code === 'ECONNREFUSED') return `nothing listens there (${tcp.code}); start a broker with \`odlog serve\` (or \`npm start\`), or pass --broker HOST:PORT / set ODLOG_BROKER`;
    if (tcp.code === 'ENOTFOUND' || tcp.code === 'EAI_AGAIN') return `the host ${JSON.stringify(address.host)} was not found (${tcp.code}); check --broker / ODLOG_BROKER`;
    return `it cannot be reached (${tcp.code}: ${tcp.message}); check --broker / ODLOG_BROKER and that the broker runs`;
  }
  // Something listens. Does it speak TLS? A handshake without verification tells.
  const handshake = await probe(address, { verify: false }, timeoutMs);
  if (!wanted.tls) {
    if (handshake.ok) return `the broker speaks TLS and this connection did not; pass --tls-ca FILE (the CA certificate that signed the broker's), or --tls if a CA the system trusts signed it`;
    return undefined;
  }
  if (!handshake.ok) {
    if (unreachableCodes.has(handshake.code) || /wrong version number|packet length too long|unknown protocol|disconnected before secure TLS/i.test(handshake.message)) {
      return `the broker does not speak TLS (${handshake.code}); drop --tls/--tls-ca, or start the broker with --tls-cert and --tls-key`;
    }
    return `the TLS handshake failed (${handshake.code}: ${handshake.message})`;
  }
  const verified = await probe(address, { ca: wanted.ca, verify: true }, timeoutMs);
  if (!verified.ok && (untrustedCodes.has(verified.code) || /certificate/i.test(verified.message))) {
    const trusted = wanted.caFile !== undefined ? `was not signed by the CA in --tls-ca ${wanted.caFile}` : 'is not signed by a CA the system trusts';
    return `the broker's TLS certificate ${trusted} (${verified.code}: ${verified.message}); pass --tls-ca FILE with the CA certificate that signed it`;
  }
  return undefined;
}
