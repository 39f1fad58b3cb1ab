import { createServer, type Server } from 'node:http';
import { limits } from '../../limits.js';
import { listenError } from '../BrokerStartError.js';
import type { Logger } from '../Logger.js';
import { prometheusContentType } from './PrometheusText.js';

/**
 * The Prometheus endpoint: `GET /metrics` answers the text `render()` produces; anything else is
 * 404 (another path) or 405 (another method). No authentication: bind it to an address only the
 * monitoring system reaches. Scrapes are few; each renders afresh.
 * @example
 * const metrics = await MetricsServer.listen('127.0.0.1', 9464, () => brokerMetricsText(ctx, totals), logger);
 * await metrics.close();
 */
export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly address: { readonly host: string; readonly port: number },
  ) {}

  static async listen(host: string, port: number, render: () => Promise<string>, logger: Logger): Promise<MetricsServer> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('use GET\n');
        return;
      }
      render().then(
        (text) => {
          response.writeHead(200, { 'content-type': prometheusContentType, 'cache-control': 'no-store' });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (error: unknown) => {
          logger.warn('metrics_failed', { error: (error as Error).message });
          response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${(error as Error).message}\n`);
        },
      );
    });
    server.maxConnections = limits.metricsConnectionsMax;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, 'the metrics endpoint', host, port, '--metrics-host', '--metrics-port')));
      server.listen(port, host, () => resolve());
    });
    server.on('error', (error) => logger.error('metrics_server_error', { error: error.message }));
    const a = server.address();
    const address = a !== null && typeof a !== 'string' ? { host: a.address, port: a.port } : { host, port };
    return new MetricsServer(server, address);
  }

  /** Stop listening and close every connection (a scrape in progress is cut). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
