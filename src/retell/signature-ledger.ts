import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Signatures are valid five minutes either side of now; remembered a little longer than that. */
const REMEMBER_MS = 11 * 60 * 1000;

/**
 * Each Retell signature is accepted once, across every process sharing Redis: a captured
 * request replayed inside its validity window — to the same route or another, with other
 * headers or query — is refused.
 */
export class SignatureLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * True the first time this signature is presented; false for every later time. The ledger
   * entry names the request that made it: when Redis goes away after storing it but before
   * answering, ioredis sends the SET again on reconnect — that finds this request's own entry,
   * which is still its first use (refusing it told a real caller "replayed").
   */
  async firstUse(signatureHeader: string, request: string = randomUUID()): Promise<boolean> {
    const digest = /d=([0-9a-f]+)/.exec(signatureHeader)?.[1] ?? signatureHeader;
    const key = `${this.prefix}:retell-signature:${digest}`;
    if ((await this.redis.set(key, request, 'PX', REMEMBER_MS, 'NX')) === 'OK') return true;
    return (await this.redis.get(key)) === request;
  }
}
