import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { BrokerStartError } from './BrokerStartError.js';

/** A certificate and its private key, read and checked to work together. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

const certificateBlock = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----/;
const privateKeyBlock = /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/;

/**
 * Read `--tls-cert` and `--tls-key` and check that they make a usable TLS identity, so that a
 * mistake is reported as one line naming the file and the fix (instead of an OpenSSL stack
 * trace): a missing or unreadable file, a file that is not PEM, files given the wrong way round,
 * a key that does not belong to the certificate, an encrypted key.
 * @example
 * const { cert, key } = loadTlsFiles('/etc/odlog/broker.crt', '/etc/odlog/broker.key');
 */
export function loadTlsFiles(certFile: string, keyFile: string): TlsFiles {
  const cert = readFile(certFile, '--tls-cert', 'a PEM certificate');
  const key = readFile(keyFile, '--tls-key', 'a PEM private key');
  const certText = cert.toString('latin1');
  const keyText = key.toString('latin1');
  if (!certificateBlock.test(certText) && privateKeyBlock.test(certText) && certificateBlock.test(keyText)) {
    throw new BrokerStartError(`--tls-cert ${certFile} holds a private key and --tls-key ${keyFile} a certificate: the two files are swapped; give the certificate to --tls-cert and the key to --tls-key`);
  }
  if (!certificateBlock.test(certText)) {
    const holds = privateKeyBlock.test(certText) ? 'a private key, not a certificate' : 'no PEM certificate ("-----BEGIN CERTIFICATE-----")';
    throw new BrokerStartError(`--tls-cert ${certFile} holds ${holds}; give --tls-cert the broker's certificate in PEM form`);
  }
  if (!privateKeyBlock.test(keyText)) {
    const holds = certificateBlock.test(keyText) ? 'a certificate, not a private key' : 'no PEM private key ("-----BEGIN PRIVATE KEY-----")';
    throw new BrokerStartError(`--tls-key ${keyFile} holds ${holds}; give --tls-key the private key of the certificate in PEM form`);
  }
  if (/ENCRYPTED/.test(keyText)) throw encryptedKey(keyFile);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
      throw new BrokerStartError(`--tls-key ${keyFile} is not the private key of the certificate in --tls-cert ${certFile} (key values mismatch); give the key that was generated with this certificate`);
    }
    if (code === 'ERR_OSSL_BAD_DECRYPT') throw encryptedKey(keyFile);
    throw new BrokerStartError(`the TLS certificate ${certFile} and key ${keyFile} cannot be used (${reason}); give a PEM certificate and its unencrypted PEM private key`);
  }
  return { cert, key };
}

function encryptedKey(keyFile: string): BrokerStartError {
  return new BrokerStartError(`--tls-key ${keyFile} is encrypted with a passphrase, which the broker cannot ask for; decrypt it once (openssl pkey -in ${keyFile} -out broker.key) and give that file`);
}

function readFile(file: string, flag: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BrokerStartError(`${flag} ${file} does not exist; give ${flag} the path of ${what}`);
    if (code === 'EACCES' || code === 'EPERM') {
      const user = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
      throw new BrokerStartError(`${flag} ${file} cannot be read: permission denied; make it readable by the user running the broker${user}`);
    }
    if (code === 'EISDIR') throw new BrokerStartError(`${flag} ${file} is a directory; give ${flag} the path of ${what}`);
    throw new BrokerStartError(`${flag} ${file} cannot be read (${(error as Error).message}); give ${flag} the path of ${what}`);
  }
}
