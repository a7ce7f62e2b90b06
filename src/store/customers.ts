import type { Sql } from './sql.ts';

export interface Customer {
  id: number;
  companyId: string;
  phone: string;
  name: string | null;
  email: string | null;
}

const columns = 'id, company_id AS "companyId", phone, name, email';

/** Customers are unique per company and phone number (E.164). */
export class CustomerStore {
  constructor(private readonly sql: Sql, private readonly now: () => number = Date.now) {}

  byPhone(companyId: string, phone: string): Promise<Customer | undefined> {
    return this.sql.get(`SELECT ${columns} FROM customers WHERE company_id = ? AND phone = ?`, [companyId, phone]);
  }

  /** Creates the customer or fills in what is new; never blanks a known name or email. */
  async upsert(companyId: string, phone: string, name: string | null, email: string | null): Promise<Customer> {
    return (await this.sql.get<Customer>(
      `INSERT INTO customers (company_id, phone, name, email, created_at, updated_at) VALUES (@companyId, @phone, @name, @email, @now, @now)
       ON CONFLICT (company_id, phone) DO UPDATE SET
         name = COALESCE(excluded.name, customers.name), email = COALESCE(excluded.email, customers.email), updated_at = excluded.updated_at
       RETURNING ${columns}`,
      { companyId, phone, name, email, now: this.now() },
    ))!;
  }

  /** For a number the caller did not call from: a new customer is recorded, a known one left as it is. */
  async ensure(companyId: string, phone: string, name: string | null, email: string | null): Promise<Customer> {
    await this.sql.run(
      `INSERT INTO customers (company_id, phone, name, email, created_at, updated_at) VALUES (@companyId, @phone, @name, @email, @now, @now)
       ON CONFLICT (company_id, phone) DO NOTHING`,
      { companyId, phone, name, email, now: this.now() },
    );
    return (await this.byPhone(companyId, phone))!;
  }
}
