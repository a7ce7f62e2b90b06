import { CALCOM_OPERATIONS, type CalcomOperation } from '../calcom/operations.ts';

/** What the simulator counts and injects faults into: the client's operations plus reading a reservation. */
export type SimOperation = CalcomOperation | 'get_reservation';
export const SIM_OPERATIONS: readonly SimOperation[] = [...CALCOM_OPERATIONS, 'get_reservation'];

export function isSimOperation(value: string): value is SimOperation {
  return (SIM_OPERATIONS as readonly string[]).includes(value);
}
