import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { BrokerFixture, BrokerProcess } from '../../support/BrokerProcess.js';
import { lines, runCli, type CliRun } from '../../support/Cli.js';
import { makeSelfSigned, opensslUnavailable, type SelfSignedCert } from '../../support/TlsCerts.js';

/** One line on stderr, nothing on stdout, this exit status: what a user who got something wrong sees. */
function oneLine(run: CliRun, status: number): string {
  expect(run.code, `exit status; stderr: ${run.stderr}`).to.equal(status);
  expect(run.stdout).to.equal('');
  expect(lines(run.stderr), `stderr should be one line:\n${run.stderr}`).to.have.length(1);
  expect(run.stderr).to.not.match(/^\s+at /m);
  return run.stderr;
}

/** Whether 127.0.0.2:7070 can be bound here (Linux routes all of 127/8 to loopback). */
async function defaultPortFree(host: string): Promise<string | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(`${host}:7070 cannot be bound here (${error.code})`));
    server.listen(7070, host, () => server.close(() => resolve(undefined)));
  });
}

describe('cli: connecting, and saying what is wrong when it cannot', function () {
  this.timeout(60_000);
  const fixture = new BrokerFixture();
  afterEach(function () {
    return fixture.releaseTracked(this.currentTest);
  });
  after(() => fixture.cleanup());

  it('--broker HOST without a port connects to port 7070', async function () {
    const host = '127.0.0.2';
    const busy = await defaultPortFree(host);
    if (busy !== undefined) {
      console.log(`    skipped: ${busy}`);
      this.skip();
    }
    const broker = await BrokerProcess.start({ dataDir: fixture.dir(), port: 7070, args: ['--host', host] });
    fixture.track(broker, (b) => b.kill());
    const client = await fixture.client(broker.address);
    await client.append([{ key: 'default-port', value: 'x' }]);
    const run = await runCli(['count', 'default-port', '--broker', host]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('1\n');
  });

  it('--broker with a port out of range is a usage error in one line', async () => {
    const stderr = oneLine(await runCli(['count', 'k', '--broker', '127.0.0.1:99999']), 64);
    expect(stderr).to.equal('odlog: --broker "127.0.0.1:99999": the port must be a number in 1..65535\n');
    oneLine(await runCli(['count', 'k'], { env: { ODLOG_BROKER: 'host:port' } }), 64);
  });

  it('--tls-ca naming a missing file says so in one line', async () => {
    const stderr = oneLine(await runCli(['count', 'k', '--tls-ca', 'missing.pem']), 66);
    expect(stderr).to.equal("odlog: cannot read --tls-ca missing.pem (no such file, ENOENT); give the PEM file of the CA that signed the broker's certificate\n");
  });

  describe('TLS on one side only, or a certificate not trusted', function () {
    let cert: SelfSignedCert;
    let other: SelfSignedCert;
    let tlsBroker: BrokerProcess;
    let plainBroker: BrokerProcess;

    before(async function () {
      const missing = opensslUnavailable();
      if (missing !== undefined) {
        console.log(`    skipped: ${missing}`);
        this.skip();
      }
      const dir = fixture.dir('odlog-tls');
      cert = makeSelfSigned(dir, 'broker');
      other = makeSelfSigned(dir, 'other');
      tlsBroker = await fixture.start(['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
      plainBroker = await fixture.start();
    });

    it('a plaintext client of a TLS broker is told to use --tls-ca', async () => {
      const stderr = oneLine(await runCli(['count', 'k', '--broker', tlsBroker.address]), 2);
      expect(stderr).to.contain(tlsBroker.address);
      expect(stderr).to.contain('speaks TLS');
      expect(stderr).to.contain('--tls-ca FILE');
      expect(stderr).to.not.contain('odlog serve');
    });

    it('a certificate the system does not trust, or another CA than --tls-ca, is named as the problem', async () => {
      const system = oneLine(await runCli(['count', 'k', '--broker', tlsBroker.address, '--tls']), 2);
      expect(system).to.match(/TLS certificate is not signed by a CA the system trusts \(DEPTH_ZERO_SELF_SIGNED_CERT: .*\); pass --tls-ca FILE/);
      const wrong = oneLine(await runCli(['count', 'k', '--broker', tlsBroker.address, '--tls-ca', other.certFile]), 2);
      expect(wrong).to.contain(`was not signed by the CA in --tls-ca ${join(other.certFile)}`);
      expect(wrong).to.not.contain('odlog serve');
    });

    it('a TLS client of a plaintext broker is told the broker does not speak TLS', async () => {
      const stderr = oneLine(await runCli(['count', 'k', '--broker', plainBroker.address, '--tls-ca', cert.certFile]), 2);
      expect(stderr).to.contain('does not speak TLS');
      expect(stderr).to.contain('drop --tls/--tls-ca');
      expect(stderr).to.not.contain('odlog serve');
    });

    it('the right CA connects', async () => {
      const run = await runCli(['count', 'k', '--broker', tlsBroker.address, '--tls-ca', cert.certFile]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.equal('0\n');
    });
  });
});
