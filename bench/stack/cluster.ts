import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis } from '../../src/runtime/embedded-redis.ts';
import { RetellCaller } from '../../src/retell/caller.ts';
import { exited, freePort, startNode, type Started } from './processes.ts';
import { SimulatorClient } from './simulator-client.ts';

export interface ClusterOptions {
  catalogFile: string;
  /** Service processes ("machines"), default 2. */
  machines?: number;
  /** The shared store: every machine gets this DATABASE_URL (the cluster never creates or drops it). */
  databaseUrl: string;
  /** Extra environment for every service process. */
  env?: Record<string, string>;
  /** none | production | <ms> */
  simLatency?: string;
  /** Every start of machine i appends its whole output here, with `.<i>` before the extension. */
  serviceLogFile?: string;
}

const RETELL_KEY = 'load-retell-key';
const CALCOM_KEY = 'cal_load_key';
const WEBHOOK_SECRET = 'load-webhook-secret';
const UNLIMITED_PER_MINUTE = 100_000;
const QUEUE_PREFIX = 'vbr';

interface Machine {
  port: number;
  dataDir: string;
  process: Started | undefined;
}

/**
 * Several machines on one Redis and one PostgreSQL, as separate VMs would run them: one
 * standalone redis-server (its own temp dir, unix socket; started and stopped here), one
 * Cal.com simulator (webhooks to machine 0), and N service processes (`src/main.ts`), each
 * with its own port and DATA_DIR and the same REDIS_URL, DATABASE_URL, QUEUE_PREFIX and
 * Cal.com/Retell settings. Any machine can be SIGKILLed and restarted while the others serve.
 */
export class Cluster {
  private stopped = false;

  private constructor(
    private readonly dir: string,
    private readonly redis: EmbeddedRedis,
    private readonly simulator: Started,
    readonly sim: SimulatorClient,
    private readonly machines: Machine[],
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const count = options.machines ?? 2;
    const dir = mkdtempSync(join(tmpdir(), 'vbr-cluster-'));
    const machines: Machine[] = [];
    for (let i = 0; i < count; i++) machines.push({ port: await freePort(), dataDir: mkdtempSync(join(dir, `machine-${i}-`)), process: undefined });
    const simPort = await freePort();
    let redis: EmbeddedRedis | undefined;
    let simulator: Started;
    try {
      redis = await EmbeddedRedis.start({ dir: join(dir, 'redis') });
      simulator = await startNode(
        'src/simulator/main.ts',
        {
          PORT: String(simPort),
          SIM_CATALOG_FILE: options.catalogFile,
          SIM_API_KEY: CALCOM_KEY,
          SIM_WEBHOOK_URL: `http://127.0.0.1:${machines[0]!.port}/calcom/webhook`,
          SIM_WEBHOOK_SECRET: WEBHOOK_SECRET,
          SIM_LATENCY: options.simLatency ?? 'none',
          SIM_RANDOM_SEED: 'cluster',
          SIM_RATE_LIMIT: String(UNLIMITED_PER_MINUTE),
          LOG_LEVEL: 'info', // its "listening" line is the ready signal
        },
        /simulator listening/,
      );
    } catch (error) {
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const cluster = new Cluster(dir, redis, simulator, new SimulatorClient(`http://127.0.0.1:${simPort}`), machines, options);
    // All at once, as machines booted together: migrations and catalog sync must cope.
    const started = await Promise.allSettled(machines.map((_, i) => cluster.restart(i)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await cluster.stop();
      throw failed.reason;
    }
    return cluster;
  }

  get size(): number {
    return this.machines.length;
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.machine(i).port}`;
  }

  /** The shared Redis's unix socket (REDIS_URL=unix://…). */
  get redisSocket(): string {
    return this.redis.socketPath;
  }

  get queuePrefix(): string {
    return QUEUE_PREFIX;
  }

  dataDir(i: number): string {
    return this.machine(i).dataDir;
  }

  running(i: number): boolean {
    return this.machine(i).process !== undefined;
  }

  output(i: number): string {
    return this.machine(i).process?.output() ?? '';
  }

  /** A Retell caller whose function calls go to machine i's front door. */
  caller(i: number, toNumber: string, fromNumber: string, callId?: string): RetellCaller {
    return new RetellCaller({ baseUrl: this.url(i), apiKey: RETELL_KEY, toNumber, fromNumber, ...(callId && { callId }) });
  }

  /** SIGKILL: no cleanup at all, as a machine that loses power. */
  async kill(i: number): Promise<void> {
    const m = this.machine(i);
    if (!m.process) return;
    m.process.child.kill('SIGKILL');
    await exited(m.process.child);
    m.process = undefined;
  }

  /** Starts machine i (again) on its port and DATA_DIR; resolves at "service started". */
  async restart(i: number): Promise<void> {
    const m = this.machine(i);
    if (m.process) throw new Error(`machine ${i} is running`);
    const logFile = this.options.serviceLogFile?.replace(/(\.[^./]*)?$/, (ext) => `.${i}${ext}`);
    m.process = await startNode(
      'src/main.ts',
      {
        PORT: String(m.port),
        DATA_DIR: m.dataDir,
        CATALOG_FILE: this.options.catalogFile,
        REDIS_URL: `unix://${this.redis.socketPath}`,
        DATABASE_URL: this.options.databaseUrl,
        QUEUE_PREFIX,
        CALCOM_API_KEY: CALCOM_KEY,
        CALCOM_BASE_URL: this.sim.url,
        CALCOM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        RETELL_API_KEY: RETELL_KEY,
        CALCOM_RATE_LIMIT_PER_MINUTE: String(UNLIMITED_PER_MINUTE),
        LOG_LEVEL: 'info',
        ...this.options.env,
      },
      /"msg":"service started"/,
      60_000,
      logFile,
    );
  }

  /** Stops everything it started (idempotent); the database is the caller's and stays. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(
      this.machines.map(async (m) => {
        if (!m.process) return;
        const child = m.process.child;
        child.kill('SIGTERM');
        const hung = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited(child);
        clearTimeout(hung);
        m.process = undefined;
      }),
    );
    if (this.simulator.child.exitCode === null && this.simulator.child.signalCode === null) {
      this.simulator.child.kill('SIGTERM');
      await exited(this.simulator.child);
    }
    await this.redis.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private machine(i: number): Machine {
    const m = this.machines[i];
    if (!m) throw new Error(`no machine ${i} (cluster of ${this.machines.length})`);
    return m;
  }
}
