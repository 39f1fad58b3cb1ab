import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed certificate and its key, as files and PEM text. */
export interface SelfSignedCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
}

/** Why TLS tests cannot run here (no openssl), or undefined when they can. */
export function opensslUnavailable(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (error) {
    return `openssl is not available (${(error as Error).message.split('\n')[0]}); install it (apt-get install openssl) to run the TLS tests`;
  }
}

/**
 * A self-signed RSA certificate for 127.0.0.1 and localhost (its own CA), valid for two days.
 *
 * @example
 * const cert = makeSelfSigned(dir, 'broker');
 * await fixture.start(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
 */
export function makeSelfSigned(dir: string, name: string): SelfSignedCert {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=odlog-${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}
