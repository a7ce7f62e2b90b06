import type { Db } from './db.ts';

export interface Customer {
  id: number;
  companyId: string;
  phone: string;
  name: string | null;
  email: string | null;
}

/** Customers are unique per company and phone number (E.164). */
export class CustomerStore {
  private readonly stmts;

  constructor(db: Db, private readonly now: () => number = Date.now) {
    this.stmts = {
      byPhone: db.prepare('SELECT id, company_id AS companyId, phone, name, email FROM customers WHERE company_id = ? AND phone = ?'),
      upsert: db.prepare(
        `INSERT INTO customers (company_id, phone, name, email, created_at, updated_at) VALUES (@companyId, @phone, @name, @email, @now, @now)
         ON CONFLICT (company_id, phone) DO UPDATE SET
           name = COALESCE(excluded.name, customers.name), email = COALESCE(excluded.email, customers.email), updated_at = excluded.updated_at
         RETURNING id, company_id AS companyId, phone, name, email`,
      ),
      insertIfAbsent: db.prepare(
        `INSERT INTO customers (company_id, phone, name, email, created_at, updated_at) VALUES (@companyId, @phone, @name, @email, @now, @now)
         ON CONFLICT (company_id, phone) DO NOTHING`,
      ),
    };
  }

  byPhone(companyId: string, phone: string): Customer | undefined {
    return this.stmts.byPhone.get(companyId, phone) as Customer | undefined;
  }

  /** Creates the customer or fills in what is new; never blanks a known name or email. */
  upsert(companyId: string, phone: string, name: string | null, email: string | null): Customer {
    return this.stmts.upsert.get({ companyId, phone, name, email, now: this.now() }) as Customer;
  }

  /** For a number the caller did not call from: a new customer is recorded, a known one left as it is. */
  ensure(companyId: string, phone: string, name: string | null, email: string | null): Customer {
    this.stmts.insertIfAbsent.run({ companyId, phone, name, email, now: this.now() });
    return this.byPhone(companyId, phone)!;
  }
}
