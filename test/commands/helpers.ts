import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommandIo } from '../../src/commands/io.ts';
import { runCommand } from '../../src/commands/index.ts';

export interface Recorded {
  code: number;
  out: string;
  err: string;
}

/** Runs a command in-process with its own environment; returns exit code and output. */
export async function run(argv: string[], env: Record<string, string> = {}, now = () => Date.parse('2026-12-01T10:00:00Z')): Promise<Recorded> {
  let out = '';
  let err = '';
  const io: CommandIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), env, now };
  const code = await runCommand(argv, io);
  return { code, out, err };
}

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A tiny local HTTP server standing in for an API (Cal.com, Retell): the handler answers [status, json]. */
export async function fakeApi(handle: (req: FakeRequest) => [number, unknown]): Promise<{ url: string; requests: FakeRequest[]; close(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const recorded = { method: req.method!, url: req.url!, headers: req.headers, body };
    requests.push(recorded);
    const [status, json] = handle(recorded);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
