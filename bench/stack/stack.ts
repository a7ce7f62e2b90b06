import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersPing, isAlive } from '../../src/runtime/embedded-redis.ts';
import { RetellCaller } from '../../src/retell/caller.ts';
import { exited, freePort, startNode, type Started } from './processes.ts';
import { SimulatorClient } from './simulator-client.ts';


/** The simulator's limit when a scenario is not about rate limits: far above any load here. */
const UNLIMITED_PER_MINUTE = 100_000; // the most CALCOM_RATE_LIMIT_PER_MINUTE accepts
export interface StackOptions {
  catalogFile: string;
  /** none | production | <ms> */
  simLatency?: string;
  simRateLimit?: number;
  /** Extra environment for the service. */
  env?: Record<string, string>;
  /** Every start of the service appends its whole output (pino JSON lines) here. */
  serviceLogFile?: string;
}

const RETELL_KEY = 'load-retell-key';
const CALCOM_KEY = 'cal_load_key';
const WEBHOOK_SECRET = 'load-webhook-secret';

/**
 * The real thing in separate processes: the Cal.com simulator (standalone, so it outlives
 * service crashes) and the service (`src/main.ts`, embedded Redis under a temp DATA_DIR,
 * real Cal.com client pointed at the simulator). The service can be killed and restarted.
 */
export class Stack {
  private service: Started | undefined;

  private constructor(
    readonly dir: string,
    readonly url: string,
    private readonly servicePort: number,
    private readonly simulator: Started,
    readonly sim: SimulatorClient,
    private readonly options: StackOptions,
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const dir = mkdtempSync(join(tmpdir(), 'vbr-stack-'));
    const [simPort, servicePort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${servicePort}`;
    const simulator = await startNode(
      'src/simulator/main.ts',
      {
        PORT: String(simPort),
        SIM_CATALOG_FILE: options.catalogFile,
        SIM_API_KEY: CALCOM_KEY,
        SIM_WEBHOOK_URL: `${url}/calcom/webhook`,
        SIM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SIM_LATENCY: options.simLatency ?? 'none',
        SIM_RANDOM_SEED: 'load',
        LOG_LEVEL: 'info', // its "listening" line is the ready signal
        // A limit always, as Cal.com has one: the service learns it from every answer's headers.
        SIM_RATE_LIMIT: String(options.simRateLimit ?? UNLIMITED_PER_MINUTE),
      },
      /simulator listening/,
    );
    const stack = new Stack(dir, url, servicePort, simulator, new SimulatorClient(`http://127.0.0.1:${simPort}`), options);
    await stack.startService();
    return stack;
  }

  async startService(): Promise<void> {
    this.service = await startNode(
      'src/main.ts',
      {
        PORT: String(this.servicePort),
        DATA_DIR: this.dir,
        CATALOG_FILE: this.options.catalogFile,
        CALCOM_API_KEY: CALCOM_KEY,
        CALCOM_BASE_URL: this.sim.url,
        CALCOM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        RETELL_API_KEY: RETELL_KEY,
        // The service paces its Cal.com requests at the limit this Cal.com enforces (a real key's
        // 120/min would make every scenario a rate-limit scenario).
        CALCOM_RATE_LIMIT_PER_MINUTE: String(this.options.simRateLimit ?? UNLIMITED_PER_MINUTE),
        LOG_LEVEL: 'info', // its "service started" line is the ready signal
        ...this.options.env,
      },
      /"msg":"service started"/,
      30_000,
      this.options.serviceLogFile,
    );
  }

  /** SIGKILL: no cleanup at all, as a crash. The embedded redis-server survives and is adopted on restart. */
  async killService(): Promise<void> {
    if (!this.service) return;
    this.service.child.kill('SIGKILL');
    await exited(this.service.child);
    this.service = undefined;
  }

  async stopService(): Promise<void> {
    if (!this.service) return;
    this.service.child.kill('SIGTERM');
    await exited(this.service.child);
    this.service = undefined;
  }

  get serviceRunning(): boolean {
    return this.service !== undefined;
  }

  /** The embedded redis-server's directory (under DATA_DIR) and unix socket. */
  get redisDir(): string {
    return join(this.dir, 'redis');
  }
  get redisSocket(): string {
    return join(this.redisDir, 'redis.sock');
  }

  /** The embedded redis-server's pid, from its pid file; undefined when it is not running. */
  redisPid(): number | undefined {
    const file = join(this.redisDir, 'redis.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return pid > 0 && isAlive(pid) ? pid : undefined;
  }

  /** Stops the embedded redis-server under the running service (SIGTERM: it flushes its append-only file first). */
  async stopRedis(timeoutMs = 10_000): Promise<void> {
    const pid = this.redisPid();
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    for (const until = Date.now() + timeoutMs; isAlive(pid); ) {
      if (Date.now() > until) throw new Error(`redis-server ${pid} did not stop within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /**
   * Starts redis-server again on the same directory and socket (daemonized, append-only),
   * as an operator would after a Redis restart; resolves once it answers PING.
   */
  async startRedis(bin = 'redis-server', timeoutMs = 10_000): Promise<void> {
    const dir = this.redisDir;
    const result = spawnSync(bin, [
      '--port', '0',
      '--unixsocket', this.redisSocket,
      '--unixsocketperm', '700',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--pidfile', join(dir, 'redis.pid'),
      '--loglevel', 'warning',
      '--daemonize', 'yes',
    ]);
    if (result.status !== 0) throw new Error(`${bin} failed (${result.status}): ${result.stderr?.toString() ?? result.error}`);
    for (const until = Date.now() + timeoutMs; !(await answersPing(this.redisSocket)); ) {
      if (Date.now() > until) throw new Error(`redis-server did not answer on ${this.redisSocket} within ${timeoutMs} ms`);
      await sleep(25);
    }
  }

  serviceOutput(): string {
    return this.service?.output() ?? '';
  }

  caller(toNumber: string, fromNumber: string, callId?: string): RetellCaller {
    return new RetellCaller({ baseUrl: this.url, apiKey: RETELL_KEY, toNumber, fromNumber, ...(callId && { callId }) });
  }

  get retellApiKey(): string {
    return RETELL_KEY;
  }

  async stop(): Promise<void> {
    await this.stopService();
    // A killed service leaves its embedded redis-server running (it is adopted on restart): stop it too.
    await this.stopRedis().catch(() => {});
    this.simulator.child.kill('SIGTERM');
    await exited(this.simulator.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

