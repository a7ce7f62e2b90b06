import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { connectRedis } from './redis-connection.ts';

export class RedisNotInstalledError extends Error {
  override name = 'RedisNotInstalledError';
  constructor(bin: string) {
    super(
      `redis-server was not found (looked for "${bin}"). Install it with ` +
        '`apt-get install -y redis-server`, or point the service at a running Redis with REDIS_URL=redis://host:6379.',
    );
  }
}

export interface EmbeddedRedisOptions {
  /** Data directory; the append-only file lives here so queued commands survive a restart. */
  dir: string;
  bin?: string;
  logger?: Logger;
  startTimeoutMs?: number;
}

/**
 * A private redis-server owned by this process: unix socket only (no TCP port),
 * append-only persistence, started on `start()` and shut down on `stop()`.
 * If a previous run was killed and left its server running on the same directory,
 * that server is adopted instead of starting a second one on the same files.
 * A server of ours that dies (killed, out of memory) is started again on the same files —
 * the append-only file brings its queues back — with a growing pause between tries.
 */
export class EmbeddedRedis {
  private stopping = false;
  /** How many times the server was started again after dying. */
  restarts = 0;

  private constructor(
    readonly dir: string,
    readonly socketPath: string,
    private child: ChildProcess | undefined,
    private readonly options: EmbeddedRedisOptions,
  ) {
    if (child) this.supervise(child);
  }

  static async start(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
    const dir = resolve(options.dir);
    mkdirSync(dir, { recursive: true });
    const socketPath = socketPathFor(dir);

    if (await answersPing(socketPath)) {
      options.logger?.info({ socketPath }, 'adopting embedded redis left running by an earlier run');
      return new EmbeddedRedis(dir, socketPath, undefined, options);
    }
    const child = await spawnServer(dir, socketPath, options);
    options.logger?.info({ socketPath, pid: child.pid }, 'embedded redis started');
    return new EmbeddedRedis(dir, socketPath, child, options);
  }

  private supervise(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      // A SHUTDOWN (ours, or by whoever adopted the server) exits 0; a kill or crash does not.
      if (this.stopping || (code === 0 && signal === null)) return;
      this.options.logger?.error({ code, signal, socketPath: this.socketPath }, 'embedded redis died: starting it again');
      void this.restart();
    });
  }

  private async restart(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      if (this.stopping) return;
      try {
        const child = await spawnServer(this.dir, this.socketPath, this.options);
        if (this.stopping) {
          child.kill('SIGTERM');
          return;
        }
        this.child = child;
        this.restarts++;
        this.supervise(child);
        this.options.logger?.warn({ pid: child.pid, attempt }, 'embedded redis started again');
        return;
      } catch (error) {
        this.options.logger?.error({ err: error, attempt }, 'embedded redis could not be started again; retrying');
      }
    }
  }

  /** Shuts the server down, flushing the append-only file first, and waits until it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    const pid = this.pid();
    const client = connectRedis({ path: this.socketPath }, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {}); // the server closing the connection is the point
    try {
      await client.connect();
      await client.call('SHUTDOWN').catch(() => {});
    } catch {
      if (pid && isAlive(pid)) process.kill(pid, 'SIGTERM'); // stopping twice is harmless
    } finally {
      client.disconnect();
    }
    for (const until = Date.now() + 10_000; pid && isAlive(pid) && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.options.logger?.info({ socketPath: this.socketPath }, 'embedded redis stopped');
  }

  /** The pid of the server, read from its pid file (also for an adopted server). */
  pid(): number | undefined {
    if (this.child?.pid) return this.child.pid;
    const pidFile = join(this.dir, 'redis.pid');
    return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
  }
}

/** Starts redis-server on `dir` and resolves once it answers PING on `socketPath`. */
async function spawnServer(dir: string, socketPath: string, options: EmbeddedRedisOptions): Promise<ChildProcess> {
  const pidFile = join(dir, 'redis.pid');
  rmSync(socketPath, { force: true });
  rmSync(pidFile, { force: true });
  const bin = options.bin ?? 'redis-server';
  const child = spawn(
    bin,
    [
      '--port', '0',
      '--unixsocket', socketPath,
      '--unixsocketperm', '700',
      '--dir', dir,
      '--pidfile', pidFile,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--daemonize', 'no',
      '--loglevel', 'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let startError: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    startError = error.code === 'ENOENT' ? new RedisNotInstalledError(bin) : error;
  });
  child.once('exit', (code, signal) => {
    startError ??= new Error(`redis-server exited during start (code ${code}, signal ${signal}):\n${output.join('')}`);
  });

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (!(await answersPing(socketPath))) {
    if (startError) throw startError;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on ${socketPath} in time:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.stdout?.off('data', collect);
  child.stderr?.off('data', collect);
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Unix socket paths are limited to ~107 bytes; long data dirs get a socket under /tmp. */
function socketPathFor(dir: string): string {
  const inDir = join(dir, 'redis.sock');
  if (Buffer.byteLength(inDir) <= 100) return inDir;
  const digest = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  return join(tmpdir(), `vbr-redis-${digest}.sock`);
}

/** Whether a redis-server answers PING on this unix socket. */
export async function answersPing(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  const client = connectRedis(
    { path: socketPath },
    { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false },
  );
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * True while the process exists and is not a zombie: a redis-server whose runtime was killed
 * is reparented, possibly to an init that never reaps it, and must then count as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: existence is all we can tell
  }
}
