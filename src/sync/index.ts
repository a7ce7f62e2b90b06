export {
  AppointmentSync,
  DEFAULT_SYNC_BACKOFFS_MS,
  SyncRejectedError,
  syncCommandId,
  syncIdOf,
  syncInputSchema,
  type AppointmentSyncOptions,
  type SyncEvent,
  type SyncInput,
  type SyncResult,
  type SyncStatus,
} from './appointment-sync.ts';
