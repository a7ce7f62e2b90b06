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

  /** True the first time this signature is presented; false for every later time. */
  async firstUse(signatureHeader: string): Promise<boolean> {
    const digest = /d=([0-9a-f]+)/.exec(signatureHeader)?.[1] ?? signatureHeader;
    return (await this.redis.set(`${this.prefix}:retell-signature:${digest}`, '1', 'PX', REMEMBER_MS, 'NX')) === 'OK';
  }
}
