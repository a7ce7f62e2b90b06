/** What slot-actor commands answer. `code` values are machine-readable and stable. */

export interface BookedAppointment {
  appointmentId: number;
  serviceId: string;
  start: string;
  end: string;
  calcomUids: string[];
  /** The business must still confirm it (Cal.com status "pending"). */
  awaitingConfirmation?: boolean;
}

export type BookReply =
  | { status: 'booked'; appointment: BookedAppointment }
  | { status: 'slot_unavailable'; code: 'slot_no_longer_available'; reason: 'local_conflict' | 'calcom_unavailable' | 'calcom_taken' }
  | { status: 'rejected'; code: string; message: string }
  | { status: 'error'; code: string; message: string };

export type CancelReply =
  | { status: 'cancelled'; appointmentId: number; calcomUids: string[] }
  | { status: 'rejected'; code: 'appointment_not_found' | 'already_cancelled' | 'being_changed' | 'wrong_actor' | 'cancelling_disabled' | 'booking_ended'; message: string }
  | { status: 'error'; code: string; message: string };

export type ReconcileReply = { status: 'reconciled'; action: string };
/** Settling a pending intent may find Cal.com unable to say: a transient error, asked again by the next sweep. */
export type SettleReply = ReconcileReply | { status: 'error'; code: string; message: string };

export type SlotUnavailableReason = 'local_conflict' | 'calcom_unavailable' | 'calcom_taken';
export const slotUnavailable = (reason: SlotUnavailableReason): BookReply => ({ status: 'slot_unavailable', code: 'slot_no_longer_available', reason });
export const rejected = (code: string, message: string): BookReply => ({ status: 'rejected', code, message });
export const failure = (code: string, message: string): BookReply => ({ status: 'error', code, message });
