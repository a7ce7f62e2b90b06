/** A faithful in-memory Cal.com API v2 over HTTP, for `npm start` without a key, tests and benchmarks. */
export { startCalcomSimulator, type CalcomSimulator, type CalcomSimulatorOptions } from './server.ts';
export {
  type EventTypeInput,
  type ExternalBookingInput,
  type HostInput,
  type ResetOptions,
  type SimulatorControl,
  type SimulatorStats,
  type WeeklyHoursInput,
} from './control.ts';
export {
  DEFAULT_HOURS,
  MSG_BAD_START,
  MSG_PAST,
  MSG_TAKEN,
  MSG_TAKEN_TEAM,
  WEEKDAYS,
  type SimEventType,
  type SimHost,
  type TimeRange,
  type Weekday,
  type WeeklyHours,
} from './calendar.ts';
export { FAULT_KINDS, lognormalParams, sampleLatency, type FaultConfig, type FaultKind, type LatencySpec, type OperationKey } from './faults.ts';
export { SIM_OPERATIONS, type SimOperation } from './operations.ts';
export { createRng, type Rng } from './rng.ts';
export { DEMO_SEED, loadSeedFile, seedOptions, simulatorSeedSchema, type SimulatorSeed } from './seed.ts';
export { bookingWebhookBody, type WebhookDelivery, type WebhookTarget, type WebhookTrigger } from './webhooks.ts';
