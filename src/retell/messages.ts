/** Short German sentences the voice agent can say as they are. */
export const MESSAGES = {
  unknown_tenant: 'Dieser Anschluss ist leider keinem Geschäft zugeordnet.',
  unknown_service: (names: string) => `Diese Dienstleistung bieten wir leider nicht an. Möglich sind: ${names}.`,
  missing_service: (names: string) => `Welche Dienstleistung möchten Sie? Möglich sind: ${names}.`,
  missing_time: 'Um wie viel Uhr möchten Sie kommen?',
  missing_appointment: 'Ich finde keinen kommenden Termin unter Ihrer Nummer. Wann war der Termin gebucht?',
  ambiguous_appointment: (list: string) => `Sie haben mehrere Termine: ${list}. Welchen meinen Sie?`,
  appointment_not_found: 'Diesen Termin finde ich leider nicht.',
  not_reschedulable: 'Dieser Termin wurde gerade schon geändert oder storniert. Soll ich nachsehen, was jetzt gebucht ist?',
  already_cancelled: 'Dieser Termin ist bereits storniert.',
  booked: (service: string, when: string) => `Ihr Termin für ${service} ist gebucht: ${when}.`,
  requested: (service: string, when: string) =>
    `Ihr Termin für ${service} am ${when} ist angefragt — Sie bekommen eine Bestätigung, sobald der Salon ihn bestätigt hat.`,
  cancelling_disabled: 'Diesen Termin kann ich am Telefon leider nicht stornieren. Bitte wenden Sie sich direkt an den Salon.',
  booking_ended: 'Dieser Termin liegt schon in der Vergangenheit und lässt sich nicht mehr stornieren.',
  invalid_phone_calcom: 'Diese Telefonnummer kann ich so leider nicht eintragen. Können Sie sie mir noch einmal sagen?',
  unsupported_language: 'Das kann ich so leider nicht eintragen. Darf ich den Termin auf Deutsch buchen?',
  booking_field_unfillable: 'Diesen Termin kann ich am Telefon leider nicht buchen, dafür fehlen Angaben, die nur der Salon aufnehmen kann.',
  cancelled: (when: string) => `Ihr Termin am ${when} ist storniert.`,
  rescheduled: (when: string) => `Ihr Termin ist verschoben auf ${when}.`,
  available: (when: string) => `Am ${when} ist noch frei. Soll ich den Termin für Sie buchen?`,
  taken_with_alternatives: (list: string) => `Dieser Termin ist leider nicht mehr frei. Ich kann Ihnen anbieten: ${list}. Was passt Ihnen?`,
  taken_no_alternatives: 'Dieser Termin ist leider nicht mehr frei, und in den Tagen darum herum ist auch nichts mehr frei. Möchten Sie es in einer anderen Woche versuchen?',
  /** `when` is a whole phrase: "Am Montag, 30. November" or "In der Woche ab Montag, 30. November". */
  free_times: (when: string, list: string) => `${when} ist frei: ${list}. Welche Uhrzeit passt Ihnen?`,
  no_free_times: (when: string) => `${when} ist leider nichts mehr frei.`,
  alternatives: (list: string) => `Frei wäre: ${list}.`,
  still_processing: 'Einen Moment bitte, das dauert noch einen kleinen Augenblick.',
  /** For the agent, not the caller: how to get the answer of a command that is still running. */
  still_processing_instruction:
    'The request is still running. Tell the caller to hold on, wait about 3 seconds, then call this same function again with exactly the same arguments to get its result. Do not tell the caller it is done until a call returns success.',
  unknown_function: 'Das kann ich leider gerade nicht nachsehen. Kann ich Ihnen anders weiterhelfen?',
  unknown_value: 'Diese Angabe fehlt mir noch. Können Sie sie mir bitte sagen?',
  beyond_horizon: 'So weit im Voraus kann ich leider keinen Termin eintragen. Welcher Tag in den nächsten Monaten passt Ihnen?',
  phone_required: 'Ich sehe Ihre Telefonnummer leider nicht. Unter welcher Nummer sind Sie bei uns bekannt?',
  phone_required_for_appointment: 'Ich sehe Ihre Telefonnummer leider nicht. Unter welcher Telefonnummer wurde der Termin gebucht?',
  not_verifiable:
    'Zu einer anderen Nummer als der, von der Sie anrufen, kann ich aus Datenschutzgründen keine gespeicherten Daten nennen. Wie ist Ihr Name?',
  verification_required:
    'Zum Schutz unserer Kunden brauche ich dafür noch den Namen, auf den der Termin gebucht ist, und den Tag des Termins.',
  proof_mismatch: 'Zu diesem Namen und Tag finde ich keinen passenden Termin. Können Sie die Angaben bitte noch einmal prüfen?',
  being_changed: 'Dieser Termin wird gerade schon geändert. Einen Moment bitte, dann sage ich Ihnen, was jetzt gebucht ist.',
  changed_since: 'Dieser Termin wurde inzwischen storniert oder geändert. Soll ich nachsehen, was jetzt gebucht ist?',
  moved_since: (when: string) => `Dieser Termin wurde inzwischen verschoben, er ist jetzt am ${when}.`,
  technical_error: 'Es gab gerade ein technisches Problem. Bitte versuchen Sie es gleich noch einmal.',
  not_bookable: 'Dieser Termin lässt sich so leider nicht buchen. Welche andere Uhrzeit passt Ihnen?',
  services: (list: string) => `Wir bieten an: ${list}.`,
  known_customer: (name: string, upcoming: string) => `Willkommen zurück, ${name}.${upcoming}`,
  new_customer: 'Sie sind zum ersten Mal bei uns. Wie ist Ihr Name?',
} as const;

/** "A, B oder C" */
export function spokenList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} oder ${items.at(-1)}`;
}

/** The question to ask when a field came as a placeholder ("-1", "unknown", "N/A" …). */
export const UNKNOWN_VALUE_MESSAGES: Record<string, string> = {
  service: 'Welche Dienstleistung möchten Sie?',
  date: 'Für welchen Tag möchten Sie den Termin?',
  time: 'Um wie viel Uhr möchten Sie kommen?',
  name: 'Auf welchen Namen darf ich den Termin eintragen?',
  appointmentId: 'Welchen Termin meinen Sie? An welchem Tag ist er?',
  appointmentDate: 'An welchem Tag ist Ihr Termin?',
  newDate: 'Auf welchen Tag möchten Sie den Termin verschieben?',
  newTime: 'Auf welche Uhrzeit möchten Sie den Termin verschieben?',
};
