import type { Db } from './db.ts';

export type Role = 'customer' | 'reseller' | 'admin';

/** Who a call or an API token belongs to. Tenants come from routes, never from request args. */
export class TenantStore {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      route: db.prepare('SELECT company_id AS companyId FROM tenant_routes WHERE route = ?'),
      token: db.prepare('SELECT company_id AS companyId, role FROM api_tokens WHERE token_sha256 = ?'),
    };
  }

  /** Routes come from the catalog at start and never change while running: looked up once each. */
  private readonly routeMemo = new Map<string, string | null>();

  /** The company owning the first known route (dialled number, then agent id). */
  companyForCall(routes: Array<string | undefined | null>): string | undefined {
    for (const route of routes) {
      if (!route) continue;
      let companyId = this.routeMemo.get(route);
      if (companyId === undefined) {
        companyId = (this.stmts.route.get(route) as { companyId: string } | undefined)?.companyId ?? null;
        if (this.routeMemo.size < 10_000) this.routeMemo.set(route, companyId);
      }
      if (companyId) return companyId;
    }
    return undefined;
  }

  byTokenHash(sha256: string): { companyId: string; role: Role } | undefined {
    return this.stmts.token.get(sha256) as { companyId: string; role: Role } | undefined;
  }
}
