import { DateTime } from 'luxon';
import type { Appointment } from '../store/index.ts';

/** Who is asking, as far as signed bytes say: the call, and the number it comes from (if any). */
export interface Caller {
  callId: string;
  /** The customer's own number (inbound: from, outbound: to); none for web calls or withheld ids. */
  phone?: string;
}

/**
 * A caller acts on an appointment without further proof when it is under the number they call
 * from or was made (or moved) in this very call.
 */
export function owns(caller: Caller, appointment: Appointment): boolean {
  return (!!caller.phone && appointment.customerPhone === caller.phone) || appointment.callId === caller.callId;
}

/** What a caller says to prove an appointment is theirs when they call from another number. */
export interface Proof {
  name?: string;
  /** Local day "YYYY-MM-DD" of the appointment. */
  day?: string;
}

/**
 * Proof of knowledge: the name on the appointment (every word said is in it, and the surname is
 * among them) and the day it is on. Either alone is not enough.
 */
export function proves(proof: Proof, appointment: Appointment, zone: string): boolean {
  if (!proof.name || !proof.day || !appointment.customerName) return false;
  const said = words(proof.name);
  const booked = words(appointment.customerName);
  if (said.length === 0 || !said.every((w) => booked.includes(w)) || !said.includes(booked.at(-1)!)) return false;
  return DateTime.fromMillis(appointment.startUtc, { zone }).toISODate() === proof.day;
}

function words(name: string): string[] {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .split(/[^a-z]+/)
    .filter((w) => w.length > 1 && !['herr', 'frau', 'dr', 'prof'].includes(w));
}
