import type { Sql } from './sql.ts';

export type Role = 'customer' | 'reseller' | 'admin';

/** Who a call or an API token belongs to. Tenants come from routes, never from request args. */
export class TenantStore {
  constructor(private readonly sql: Sql) {}

  /** Routes come from the catalog at start and never change while running: looked up once each. */
  private readonly routeMemo = new Map<string, string | null>();

  /** The company owning the first known route (dialled number, then agent id). */
  async companyForCall(routes: Array<string | undefined | null>): Promise<string | undefined> {
    for (const route of routes) {
      if (!route) continue;
      let companyId = this.routeMemo.get(route);
      if (companyId === undefined) {
        companyId = (await this.sql.get<{ companyId: string }>('SELECT company_id AS "companyId" FROM tenant_routes WHERE route = ?', [route]))?.companyId ?? null;
        if (this.routeMemo.size < 10_000) this.routeMemo.set(route, companyId);
      }
      if (companyId) return companyId;
    }
    return undefined;
  }

  byTokenHash(sha256: string): Promise<{ companyId: string; role: Role } | undefined> {
    return this.sql.get('SELECT company_id AS "companyId", role FROM api_tokens WHERE token_sha256 = ?', [sha256]);
  }
}
