import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { BrokerFixture } from '../../support/BrokerProcess.js';
import { linesOf, runOdlog, type OdlogRunResult } from '../../support/OdlogRun.js';
import { TempDirs } from '../../support/TempDirs.js';
import { makeSelfSigned, opensslUnavailable, type SelfSignedCert } from '../../support/TlsCerts.js';

/**
 * `odlog serve` that cannot start: one line on stderr naming the cause and the fix, no stack
 * trace, a non-zero exit (1), nothing printed on stdout (no readiness line), and the data
 * directory left unlocked.
 */
describe('broker: `odlog serve` that cannot start says why in one line', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.cleanup(this.currentTest);
  });

  function serve(dataDir: string, extra: readonly string[]): Promise<OdlogRunResult> {
    return runOdlog(['serve', '--port', '0', '--data-dir', dataDir, ...extra]);
  }

  function expectOneLine(run: OdlogRunResult, dataDir: string, ...mentions: RegExp[]): string {
    expect(run.timedOut, 'the broker started instead of refusing').to.equal(false);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout, 'a readiness line was printed').to.equal('');
    const lines = linesOf(run.stderr);
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^odlog: /);
    expect(lines[0]).to.not.match(/\n\s+at |Error:|error:[0-9A-F]{8}/);
    for (const m of mentions) expect(lines[0]).to.match(m);
    expect(existsSync(join(dataDir, 'odlog.lock')), 'the data directory was left locked').to.equal(false);
    return lines[0];
  }

  it('--host with an address that is not this machine\'s (EADDRNOTAVAIL)', async () => {
    const dir = fixture.dir();
    const run = await serve(dir, ['--host', '10.255.255.1']);
    expectOneLine(run, dir, /10\.255\.255\.1/, /not an address of this machine/, /--host/, /0\.0\.0\.0/);
  });

  it('--port that another process listens on (EADDRINUSE)', async () => {
    const other = await fixture.start();
    const dir = fixture.dir();
    const run = await runOdlog(['serve', '--port', String(other.port), '--data-dir', dir]);
    expectOneLine(run, dir, new RegExp(`:${other.port}`), /in use/, /--port/);
  });

  it('--metrics-port that another process listens on', async () => {
    const other = await fixture.start();
    const dir = fixture.dir();
    const run = await serve(dir, ['--metrics-port', String(other.port)]);
    expectOneLine(run, dir, /metrics endpoint/, /in use/, /--metrics-port/);
  });

  describe('TLS files', () => {
    let certs: { a: SelfSignedCert; b: SelfSignedCert; dir: string };
    const certDirs = new TempDirs();
    after(() => certDirs.cleanup());
    before(function () {
      const missing = opensslUnavailable();
      if (missing !== undefined) {
        console.log(`      skipped: ${missing}`);
        this.skip();
      }
      const dir = certDirs.make('odlog-tls');
      certs = { a: makeSelfSigned(dir, 'a'), b: makeSelfSigned(dir, 'b'), dir };
    });

    it('a --tls-cert file that does not exist', async () => {
      const dir = fixture.dir();
      const missing = join(certs.dir, 'missing.pem');
      expectOneLine(await serve(dir, ['--tls-cert', missing, '--tls-key', certs.a.keyFile]), dir, /--tls-cert/, /missing\.pem/, /does not exist/);
    });

    it('a --tls-key file that does not exist', async () => {
      const dir = fixture.dir();
      expectOneLine(await serve(dir, ['--tls-cert', certs.a.certFile, '--tls-key', join(certs.dir, 'nokey.pem')]), dir, /--tls-key/, /nokey\.pem/, /does not exist/);
    });

    it('a key that is not the certificate\'s (mismatched pair)', async () => {
      const dir = fixture.dir();
      expectOneLine(await serve(dir, ['--tls-cert', certs.a.certFile, '--tls-key', certs.b.keyFile]), dir, /is not the private key of the certificate/, /b\.key/, /a\.crt/);
    });

    it('certificate and key given the wrong way round', async () => {
      const dir = fixture.dir();
      expectOneLine(await serve(dir, ['--tls-cert', certs.a.keyFile, '--tls-key', certs.a.certFile]), dir, /swapped/, /--tls-cert/, /--tls-key/);
    });

    it('a --tls-cert file that is not PEM', async () => {
      const dir = fixture.dir();
      const junk = join(certs.dir, 'junk.txt');
      writeFileSync(junk, 'not a certificate\n');
      expectOneLine(await serve(dir, ['--tls-cert', junk, '--tls-key', certs.a.keyFile]), dir, /junk\.txt/, /no PEM certificate/);
    });

    it('a --tls-cert file the broker\'s user cannot read', async function () {
      const dir = fixture.dir();
      // Root reads any file: run the broker as nobody, with the certificate readable by root only.
      const asRoot = process.getuid?.() === 0;
      if (process.getuid === undefined) {
        console.log('      skipped: file permissions need a POSIX system');
        this.skip();
      }
      const unreadable = join(certs.dir, 'unreadable.crt');
      copyFileSync(certs.a.certFile, unreadable);
      chmodSync(unreadable, 0o000);
      chmodSync(certs.dir, 0o755);
      chmodSync(certs.a.keyFile, 0o644);
      chmodSync(dir, 0o777);
      const run = await runOdlog(['serve', '--port', '0', '--data-dir', dir, '--tls-cert', unreadable, '--tls-key', certs.a.keyFile], asRoot ? { uid: 65534, gid: 65534 } : {});
      expectOneLine(run, dir, /unreadable\.crt/, /permission denied/, /readable by the user running the broker/);
    });
  });
});
