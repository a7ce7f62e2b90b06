import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { eventTypeInputSchema, hostInputSchema, weeklyHoursSchema } from './control.ts';
import type { CalcomSimulatorOptions } from './server.ts';

/**
 * A seed file: either an array of event types, or
 * `{ timeZone?, hours?, hosts?, eventTypes }` (hours keyed mon…sun, `HH:mm` ranges).
 */
const seedObjectSchema = z.object({
  timeZone: z.string().optional(),
  hours: weeklyHoursSchema.optional(),
  hosts: z.array(hostInputSchema).optional(),
  eventTypes: z.array(eventTypeInputSchema),
});
export type SimulatorSeed = z.output<typeof seedObjectSchema>;

export const simulatorSeedSchema: z.ZodType<SimulatorSeed, unknown> = z.union([
  z.array(eventTypeInputSchema).transform((eventTypes): SimulatorSeed => ({ eventTypes })),
  seedObjectSchema,
]);

export async function loadSeedFile(path: string): Promise<SimulatorSeed> {
  const text = await readFile(path, 'utf8');
  return simulatorSeedSchema.parse(JSON.parse(text));
}

/** Start options for a seed: `startCalcomSimulator({ ...seedOptions(DEMO_SEED), port: 0 })`. */
export function seedOptions(seed: SimulatorSeed): Pick<CalcomSimulatorOptions, 'eventTypes' | 'hosts' | 'hours' | 'timeZone'> {
  return {
    eventTypes: seed.eventTypes,
    ...(seed.hosts && { hosts: seed.hosts }),
    ...(seed.hours && { hours: seed.hours }),
    ...(seed.timeZone && { timeZone: seed.timeZone }),
  };
}

/** A small salon, used when the simulator starts without a seed (demo / `npm start` without Cal.com). */
export const DEMO_SEED: SimulatorSeed = {
  timeZone: 'Europe/Berlin',
  hours: {
    tue: [{ start: '09:00', end: '18:00' }],
    wed: [{ start: '09:00', end: '18:00' }],
    thu: [{ start: '09:00', end: '20:00' }],
    fri: [{ start: '09:00', end: '18:00' }],
    sat: [{ start: '09:00', end: '14:00' }],
  },
  hosts: [{ id: 1, name: 'Salon Demo', email: 'salon@simulator.local', username: 'salon-demo' }],
  eventTypes: [
    { id: 1001, slug: 'herrenhaarschnitt', title: 'Herrenhaarschnitt', lengthInMinutes: 30, slotIntervalMinutes: 15 },
    { id: 1002, slug: 'damenhaarschnitt', title: 'Damenhaarschnitt', lengthInMinutes: 60, slotIntervalMinutes: 15 },
    { id: 1003, slug: 'faerben', title: 'Färben', lengthInMinutes: 90, slotIntervalMinutes: 30 },
  ],
};
