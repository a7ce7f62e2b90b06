// One store test suite, run against both backends: the embedded SQLite file and PostgreSQL
// (DATABASE_URL). The stores' SQL is shared, so what differs is the driver: parameters,
// number types (PostgreSQL's BIGINT and COUNT come back as JS numbers), RETURNING,
// ON CONFLICT, transactions. PostgreSQL is never skipped: `.ci/run` starts one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCatalog } from '../../src/catalog/index.ts';
import { syncCatalog } from '../../src/catalog/sync.ts';
import { openStore, type NewAppointment, type Store } from '../../src/store/index.ts';
import { freshPostgres, type TestPostgres } from '../helpers/database.ts';

const COMPANY = 'salon-schmidt';
const HOUR = 3_600_000;
const T0 = Date.UTC(2031, 0, 6, 9); // far from any real clock: epoch ms beyond 2^31 on purpose

const row = (over: Partial<NewAppointment> = {}): NewAppointment => ({
  companyId: COMPANY,
  serviceId: 'herrenhaarschnitt',
  calendarKey: 'anna',
  eventTypeId: 1001,
  startUtc: T0,
  endUtc: T0 + HOUR / 2,
  status: 'pending',
  origin: 'voice',
  ...over,
});

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`store on ${backend}`, () => {
    let store: Store;
    let clock = T0 - 24 * HOUR;
    let dir: string | undefined;
    let pg: TestPostgres | undefined;

    before(async () => {
      let location: string;
      if (backend === 'postgres') {
        pg = await freshPostgres('store');
        location = pg.url;
      } else {
        dir = mkdtempSync(join(tmpdir(), 'vbr-store-'));
        location = join(dir, 'booking.sqlite');
      }
      store = await openStore(location, () => clock);
      await syncCatalog(store, loadCatalog('data/catalog.json'));
    });
    after(async () => {
      await store.close();
      await pg?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('an appointment comes back as it was written, with numbers as numbers', async () => {
      const made = await store.appointments.insert(row({ commandId: 'cmd-a', groupId: 'cmd-a', customerName: 'Jana', customerPhone: '+4915112345678' }));
      assert.equal(typeof made.id, 'number');
      assert.deepEqual(await store.appointments.byId(made.id), made);
      assert.equal(made.startUtc, T0);
      assert.equal(made.segmentIndex, 0);
      assert.equal(made.awaitingConfirmation, 0);
      assert.equal(made.createdAt, clock);
      assert.equal(made.syncStatus, 'synced');
      assert.deepEqual(await store.appointments.byCommandId('cmd-a'), made);
      assert.equal(await store.appointments.byId(made.id + 10_000), undefined);
    });

    test('overlapping sees live rows of the calendar that intersect the range, not touching or cancelled ones', async () => {
      const at = T0 + 48 * HOUR;
      const live = await store.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, status: 'booked', commandId: 'ov-live' }));
      await store.appointments.insert(row({ startUtc: at + HOUR, endUtc: at + 2 * HOUR, status: 'cancelled', commandId: 'ov-cancelled' }));
      await store.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, calendarKey: 'ben', commandId: 'ov-other-calendar' }));
      const ids = async (from: number, to: number) => (await store.appointments.overlapping(COMPANY, 'anna', from, to)).map((a) => a.id);
      assert.deepEqual(await ids(at + HOUR / 2, at + HOUR), [live.id]);
      assert.deepEqual(await ids(at + HOUR, at + 2 * HOUR), [], 'touching the end is free; the cancelled one does not count');
      assert.deepEqual(await ids(at - HOUR, at), [], 'touching the start is free');
    });

    test('a command id is unique: a second intent with it is refused', async () => {
      await store.appointments.insert(row({ commandId: 'unique-cmd', startUtc: T0 + 72 * HOUR, endUtc: T0 + 73 * HOUR }));
      await assert.rejects(store.appointments.insert(row({ commandId: 'unique-cmd', startUtc: T0 + 74 * HOUR, endUtc: T0 + 75 * HOUR })));
    });

    test('booked, held, cancelled and replaced: each write changes exactly its rows', async () => {
      const at = T0 + 96 * HOUR;
      const [a, b] = [await store.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, commandId: 'w-a', groupId: 'w' })), await store.appointments.insert(row({ startUtc: at + HOUR, endUtc: at + 2 * HOUR, commandId: 'w-b', groupId: 'w', segmentIndex: 1 }))];
      clock += 1000;
      await store.appointments.markBooked(a.id, 'uid-w-a');
      assert.equal((await store.appointments.byCalcomUid('uid-w-a'))?.id, a.id);
      assert.equal((await store.appointments.byId(a.id))?.updatedAt, clock);
      await store.appointments.setHold([a.id, b.id], 'mover', clock + 5000);
      assert.deepEqual((await store.appointments.byGroup('w')).map((r) => [r.segmentIndex, r.heldBy, r.heldUntil]), [
        [0, 'mover', clock + 5000],
        [1, 'mover', clock + 5000],
      ]);
      const successor = await store.appointments.insert(row({ startUtc: at + 5 * HOUR, endUtc: at + 6 * HOUR, status: 'booked', commandId: 'w-new' }));
      await store.appointments.cancel([a.id, b.id], successor.id);
      for (const r of await store.appointments.byGroup('w')) {
        assert.deepEqual([r.status, r.replacedBy, r.heldBy, r.heldUntil], ['cancelled', successor.id, null, null]);
      }
      assert.equal((await store.appointments.current(a.id))?.id, successor.id, 'the old id follows the move');
      await store.appointments.cancel([successor.id]);
      assert.equal((await store.appointments.byId(successor.id))?.replacedBy, null, 'a plain cancel points nowhere');
    });

    test('withdraw drops only an intent nothing was sent for', async () => {
      const at = T0 + 120 * HOUR;
      const untried = await store.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, commandId: 'wd-1' }));
      const sent = await store.appointments.insert(row({ startUtc: at + HOUR, endUtc: at + 2 * HOUR, commandId: 'wd-2', calcomUid: 'uid-wd-2' }));
      await store.appointments.withdraw(untried.id);
      await store.appointments.withdraw(sent.id);
      assert.equal(await store.appointments.byId(untried.id), undefined);
      assert.equal((await store.appointments.byId(sent.id))?.status, 'pending');
    });

    test('stale pending intents: only those not touched for longer than asked', async () => {
      const at = T0 + 144 * HOUR;
      const old = await store.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, commandId: 'stale-old' }));
      clock += 60_000;
      const young = await store.appointments.insert(row({ startUtc: at + HOUR, endUtc: at + 2 * HOUR, commandId: 'stale-young' }));
      const stale = (await store.appointments.stalePending(30_000)).map((r) => r.id);
      assert.ok(stale.includes(old.id));
      assert.ok(!stale.includes(young.id));
    });

    test('customers: upsert fills in and never blanks; ensure leaves a known one alone', async () => {
      const first = await store.customers.upsert(COMPANY, '+4915100000001', 'Jana', null);
      const second = await store.customers.upsert(COMPANY, '+4915100000001', null, 'jana@example.de');
      assert.deepEqual(second, { ...first, email: 'jana@example.de' });
      const ensured = await store.customers.ensure(COMPANY, '+4915100000001', 'Somebody else', 'other@example.de');
      assert.deepEqual(ensured, second);
      assert.equal((await store.customers.ensure(COMPANY, '+4915100000002', 'Neu', null)).name, 'Neu');
    });

    test('calls: events out of order never move a call back; costs and durations are kept', async () => {
      const base = { companyId: COMPANY, agentId: 'agent', fromNumber: '+49151', toNumber: '+4930', direction: 'inbound', disconnectionReason: null };
      await store.calls.upsert({ ...base, callId: 'c1', status: 'ended', startedAt: T0 + 5000, endedAt: T0 + 65_000, durationMs: 60_000, costs: { rawCents: 1.5, adminCents: 1.5, resellerCents: 2, customerCents: 3.25 } });
      await store.calls.upsert({ ...base, callId: 'c1', status: 'started', startedAt: T0, endedAt: null, durationMs: null, costs: null });
      const call = await store.calls.get('c1');
      assert.equal(call?.status, 'ended');
      assert.equal(call?.started_at, T0, 'the earliest start wins');
      assert.equal(call?.duration_ms, 60_000);
      assert.equal(call?.cost_customer_cents, 3.25);
      assert.equal(await store.calls.markHasAppointment('c1'), true);
      assert.equal(await store.calls.markHasAppointment('no-such-call'), false);
      assert.equal((await store.calls.get('c1'))?.has_appointment, 1);
    });

    test('command results and call changes are written once, however often', async () => {
      await store.commandResults.put('cr-1', 'book', 'slot:x', { status: 'booked', n: 1 });
      await store.commandResults.put('cr-1', 'book', 'slot:x', { status: 'booked', n: 2 });
      assert.deepEqual(await store.commandResults.get('cr-1'), { status: 'booked', n: 1 });
      assert.equal(await store.commandResults.get('cr-none'), undefined);
      assert.equal(await store.callChanges.lastOtherChange(COMPANY, 'call-x', 'fp-a'), 0);
      await store.callChanges.record(COMPANY, 'call-x', 'fp-a', 'cmd-1');
      await store.callChanges.record(COMPANY, 'call-x', 'fp-a', 'cmd-1');
      assert.equal(await store.callChanges.lastOtherChange(COMPANY, 'call-x', 'fp-a'), 0, 'its own change is not another');
      const seq = await store.callChanges.lastOtherChange(COMPANY, 'call-x', 'fp-b');
      assert.ok(seq > 0);
      await store.callChanges.record(COMPANY, 'call-x', 'fp-b', 'cmd-2');
      assert.ok((await store.callChanges.lastOtherChange(COMPANY, 'call-x', 'fp-a')) > seq);
    });

    test('orphans: due, retried later with backoff, resolved; recorded again re-opens', async () => {
      await store.orphans.record('orphan-1', COMPANY, 'cmd', 'local save failed', 'disk full');
      assert.deepEqual((await store.orphans.due()).map((o) => o.calcomUid), ['orphan-1']);
      await store.orphans.retryLater('orphan-1', 'still 500', 10_000, false);
      assert.deepEqual(await store.orphans.due(), [], 'not due before its next attempt');
      assert.equal(await store.orphans.openCount(), 1);
      clock += 10_000;
      const [due] = await store.orphans.due();
      assert.deepEqual([due?.attempts, due?.lastError, due?.escalated], [1, 'still 500', 0]);
      await store.orphans.resolve('orphan-1');
      assert.equal(await store.orphans.openCount(), 0);
      await store.orphans.record('orphan-1', COMPANY, 'cmd', 'again', null);
      assert.equal(await store.orphans.openCount(), 1);
      await store.orphans.resolve('orphan-1');
    });

    test('tenants come from the synced catalog: routes and token hashes', async () => {
      assert.equal(await store.tenants.companyForCall([undefined, '+490000', '+493012345678']), COMPANY);
      assert.equal(await store.tenants.companyForCall(['agent_salon_schmidt']), COMPANY);
      assert.equal(await store.tenants.companyForCall(['+490000']), undefined);
      assert.deepEqual(await store.tenants.byTokenHash('91c16f0d6cc1bec3c3603972182a07c66ff4fa71618a975e963d6dbe42b6dd37'), { companyId: COMPANY, role: 'admin' });
      assert.equal(await store.tenants.byTokenHash('0'.repeat(64)), undefined);
    });

    test('a transaction is all or nothing', async () => {
      const at = T0 + 168 * HOUR;
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, commandId: 'tx-1' }));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.appointments.byCommandId('tx-1'), undefined);
      await store.transaction(async (tx) => {
        await tx.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, commandId: 'tx-2' }));
        await tx.appointments.insert(row({ startUtc: at + HOUR, endUtc: at + 2 * HOUR, commandId: 'tx-3' }));
      });
      assert.ok((await store.appointments.byCommandId('tx-2')) && (await store.appointments.byCommandId('tx-3')));
    });

    test('transactions started together run one after another, each whole', async () => {
      const at = T0 + 216 * HOUR;
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.appointments.insert(row({ startUtc: at + i * HOUR, endUtc: at + i * HOUR + 1000, commandId: `together-${i}-a` }));
            await tx.appointments.insert(row({ startUtc: at + i * HOUR + 2000, endUtc: at + i * HOUR + 3000, commandId: `together-${i}-b` }));
          }),
        ),
      );
      for (let i = 0; i < 12; i++) {
        assert.ok(await store.appointments.byCommandId(`together-${i}-a`), `transaction ${i}, first write`);
        assert.ok(await store.appointments.byCommandId(`together-${i}-b`), `transaction ${i}, second write`);
      }
    });

    test('queries outside a transaction do not see (or join) its writes before it commits', async () => {
      const at = T0 + 192 * HOUR;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const open = store.transaction(async (tx) => {
        await tx.appointments.insert(row({ startUtc: at, endUtc: at + HOUR, commandId: 'iso-1' }));
        await gate;
        throw new Error('rolled back');
      });
      const outside = store.appointments.byCommandId('iso-1');
      release();
      await assert.rejects(open, /rolled back/);
      assert.equal(await outside, undefined, 'the outside read never saw the uncommitted row');
      assert.equal(await store.appointments.byCommandId('iso-1'), undefined);
    });

    test('ping answers and the store has one identity', async () => {
      assert.equal(await store.ping(), true);
      assert.match(store.storeId, /^[0-9a-f]{32}$/);
    });
  });
}

test('two processes on one PostgreSQL database share ids: concurrent inserts never hand out one id twice', async () => {
  const pg = await freshPostgres('ids');
  const [a, b] = [await openStore(pg.url), await openStore(pg.url)];
  try {
    assert.equal(a.storeId, b.storeId, 'one store, one identity');
    await syncCatalog(a, loadCatalog('data/catalog.json'));
    const made = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).appointments.insert(row({ startUtc: T0 + i * HOUR, endUtc: T0 + i * HOUR + 1000, commandId: `ids-${i}` }))),
    );
    assert.equal(new Set(made.map((m) => m.id)).size, 40);
    // What one wrote, the other reads: ids callers hear mean the same appointment through either door.
    for (const m of made) assert.equal((await (m.id % 2 ? b : a).appointments.byId(m.id))?.commandId, m.commandId);
  } finally {
    await a.close();
    await b.close();
    await pg.drop();
  }
});
