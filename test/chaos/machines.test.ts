// Issue 16, "proof with two machines", the short form of `npm run chaos -- machines`: two service
// processes with separate DATA_DIRs on one Redis and one PostgreSQL (a fresh database: never
// skipped), callers racing for overlapping slots through both front doors, then cancelling by the
// id they were told through the other door (some through the same), one machine SIGKILLed mid-phase
// twice and restarted while the other serves.
//
// Peer behaviour relied on: Retell sends a failed function call again ("The request will timeout in
// your specified timeout period, or 2 minutes if not specified. When request fails, it will be
// retried up to 2 times." — docs.retellai.com/build/conversation-flow/custom-function), with the
// same call and args; a load balancer in front of the machines sends that retry to one that is up.
// The callers here do that (the other door, same call id and args), and also repeat a call
// answered `still_processing`, as the agent does after "Einen Moment bitte".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stderrLog, type Log } from '../../bench/chaos/common.ts';
import { runMachines } from '../../bench/chaos/machines.ts';
import { freshPostgres } from '../helpers/database.ts';

const log: Log = process.env.CHAOS_VERBOSE ? stderrLog : () => {};

test('two machines on one Redis and one PostgreSQL: racing bookings and cross-door cancels under SIGKILLs break nothing', { timeout: 180_000 }, async () => {
  const db = await freshPostgres('machines');
  try {
    const result = await runMachines({ callers: 16, rounds: 2, kills: 2, databaseUrl: db.url, log });
    const v = result.violationsByKind;
    const why = result.details.join('\n');
    assert.equal(v.wrongCancels, 0, `no cancel said "storniert" for another appointment, or while the caller's own stayed live\n${why}`);
    assert.equal(v.refusals, 0, `no cancel of the caller's own appointment was refused\n${why}`);
    assert.equal(v.copies, 0, `no appointment imported back from Cal.com, none twice\n${why}`);
    assert.equal(v.doubleBookings, 0, `no two live bookings of one calendar overlapped, in Cal.com or locally\n${why}`);
    assert.equal(v.orphans, 0, `no live Cal.com booking without a live appointment, no open orphan\n${why}`);
    assert.equal(v.ghosts, 0, `no live appointment without its Cal.com booking\n${why}`);
    assert.equal(v.pendingIntents, 0, `no intent left pending\n${why}`);
    assert.equal(v.lostBookings, 0, `every booking a caller was told is live, theirs, at the start told\n${why}`);
    assert.equal(v.unanswered, 0, `every call got a decided answer\n${why}`);
    assert.equal(v.unsettled, 0, `the mailboxes emptied and a sweep ran\n${why}`);
    assert.equal(result.violations, 0);

    assert.equal(result.kills, 2, 'both kills happened');
    assert.ok(result.killsMidCall >= 1, `a kill cut calls on the wire (${result.callsCutByKills})`);
    assert.ok(result.booked >= 8, `bookings went through (${result.booked})`);
    assert.ok(result.slotTaken >= 5, `callers lost races for the contested slots (${result.slotTaken})`);
    assert.equal(result.cancels, result.booked, 'every caller told an id cancelled it');
    assert.ok(result.cancelled + result.cancelRepeatsAlreadyCancelled === result.cancels, 'and each cancel went through');
    assert.ok(result.cancelled >= 8, `cancels answered "storniert" (${result.cancelled})`);
    assert.ok(result.cancelsCrossDoor >= 4 && result.cancelsCrossDoor < result.cancels, `cancels through the other door (${result.cancelsCrossDoor}) and the same (${result.cancels - result.cancelsCrossDoor})`);
  } finally {
    await db.drop();
  }
});
