import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError } from './errors.js';
import { freePorts } from './free-port.js';
import { spawnManaged, stopByPid } from './managed-process.js';
import { pollUntil } from './poll-until.js';
import { makeServiceDir } from './temp-dir.js';

export interface VictoriaMetricsOptions {
  /** path of the binary (default /usr/bin/victoria-metrics, Debian's `victoria-metrics`) */
  binary?: string;
  readyTimeoutMs?: number;
  /** chooses the loopback ports of each attempt (default: free ports from the OS); a hook for tests */
  pickPorts?: (count: number) => Promise<number[]>;
  signal?: AbortSignal;
  /**
   * a Prometheus scrape config (YAML with `scrape_configs`, e.g. loopback `/metrics` targets): VictoriaMetrics then
   * scrapes them itself (`-promscrape.config`) and answers PromQL over what it scraped
   */
  scrapeConfig?: string;
}

export interface VictoriaMetricsService {
  /** http://127.0.0.1:<port>; accepts the InfluxDB v2 write API at /api/v2/write and PromQL at /api/v1/query */
  url: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** makes recently written samples visible to queries and /api/v1/export */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_ATTEMPTS = 5;

/**
 * Starts a private VictoriaMetrics single-node on a free loopback port with storage in a fresh temp dir: a real
 * server for the InfluxDB v2 write path (`/api/v2/write`), read back with `/api/v1/export`, and a real Prometheus-
 * compatible scraper and PromQL engine (`scrapeConfig`, `/api/v1/query`).
 */
export async function startVictoriaMetrics(
  opts: VictoriaMetricsOptions = {},
): Promise<VictoriaMetricsService> {
  const binary = opts.binary ?? '/usr/bin/victoria-metrics';
  const dir = await makeServiceDir('victoria-metrics');
  try {
    const scrapeFile = join(dir.path, 'scrape.yaml');
    if (opts.scrapeConfig !== undefined) await writeFile(scrapeFile, opts.scrapeConfig);
    for (let attempt = 1; ; attempt++) {
      const [port] = (await (opts.pickPorts ?? freePorts)(1)) as [number];
      const logFile = join(dir.path, `victoria-metrics-${attempt}.log`);
      const args = [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${join(dir.path, 'data')}`,
        '-retentionPeriod=100y',
        '-loggerLevel=ERROR',
        '-search.latencyOffset=0s',
        // a re-sent sample (same series and time) is one sample, as in InfluxDB
        '-dedup.minScrapeInterval=1ms',
        '-search.disableCache',
        '-selfScrapeInterval=0',
        '-http.shutdownDelay=0s',
        ...(opts.scrapeConfig === undefined ? [] : [`-promscrape.config=${scrapeFile}`]),
      ];
      const proc = await spawnManaged(binary, args, { logFile });
      const url = `http://127.0.0.1:${port}`;
      try {
        await pollUntil(
          async () => {
            const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
            const body = await res.text();
            return res.ok && body.trim() === 'OK' ? true : undefined;
          },
          {
            what: `victoria-metrics at ${url}`,
            timeoutMs: opts.readyTimeoutMs ?? 30_000,
            ...(opts.signal ? { signal: opts.signal } : {}),
            stop: () => {
              const info = proc.exitInfo();
              return info ? `exited (code ${info.code}, signal ${info.signal})` : undefined;
            },
          },
        );
        return {
          url,
          pid: proc.pid,
          dataDir: dir.path,
          logFile,
          flush: async () => {
            const res = await fetch(`${url}/internal/force_flush`, { signal: AbortSignal.timeout(10_000) });
            await res.body?.cancel();
            if (!res.ok) {
              throw new ServiceError(
                'SERVICE_REQUEST_FAILED',
                `victoria-metrics force_flush: HTTP ${res.status}`,
              );
            }
          },
          stop: async () => {
            await stopByPid(proc.pid, { exited: proc.exited });
            await dir.remove();
          },
        };
      } catch (err) {
        await stopByPid(proc.pid, { exited: proc.exited });
        const log = proc.logTail();
        if (attempt < MAX_ATTEMPTS && /address already in use/i.test(log)) continue;
        throw new ServiceError(
          'SERVICE_START_FAILED',
          `victoria-metrics did not start: ${err instanceof Error ? err.message : String(err)}\n${log}`,
          { cause: err },
        );
      }
    }
  } catch (err) {
    await dir.remove();
    throw err;
  }
}
