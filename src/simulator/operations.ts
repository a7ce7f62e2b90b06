import { CALCOM_OPERATIONS, type CalcomOperation } from '../calcom/operations.ts';

/** What the simulator counts and injects faults into: the client's operations plus reading a reservation. */
export type SimOperation = CalcomOperation | 'get_reservation' | 'confirm_booking' | 'decline_booking';
export const SIM_OPERATIONS: readonly SimOperation[] = [...CALCOM_OPERATIONS, 'get_reservation', 'confirm_booking', 'decline_booking'];

export function isSimOperation(value: string): value is SimOperation {
  return (SIM_OPERATIONS as readonly string[]).includes(value);
}
