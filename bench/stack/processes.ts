import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A port that was free a moment ago (the services are started on fixed ports so restarts keep them). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  /** stdout+stderr so far, for error messages. */
  output: () => string;
}

/** Starts `node --import tsx <script>` and resolves once a stdout line matches `ready`; `logFile` also gets all its output (appended). */
export function startNode(script: string, env: Record<string, string>, ready: RegExp, timeoutMs = 30_000, logFile?: string): Promise<Started> {
  // STACK_CPU_PROF_DIR=dir: each started process writes a V8 CPU profile there when it exits.
  const profile = process.env.STACK_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STACK_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const output = () => log.slice(-8000);
  if (logFile) {
    const file = createWriteStream(logFile, { flags: 'a' });
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.once('exit', () => file.end());
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running behind the caller's back
      reject(new Error(`${script} not ready after ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    let isReady = false;
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.length > 200_000) log = log.slice(-100_000);
      // Searched only until ready: under load the service logs a line a request, and the load
      // generator (this process) must not spend its time re-reading them.
      if (!isReady && ready.test(log)) {
        isReady = true;
        clearTimeout(timer);
        resolve({ child, output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}, signal ${signal}) before ready:\n${output()}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
