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
  cancelled: (when: string) => `Ihr Termin am ${when} ist storniert.`,
  rescheduled: (when: string) => `Ihr Termin ist verschoben auf ${when}.`,
  available: (when: string) => `Am ${when} ist noch frei. Soll ich den Termin für Sie buchen?`,
  taken_with_alternatives: (list: string) => `Dieser Termin ist leider nicht mehr frei. Ich kann Ihnen anbieten: ${list}. Was passt Ihnen?`,
  taken_no_alternatives: 'Dieser Termin ist leider nicht mehr frei, und in den Tagen darum herum ist auch nichts mehr frei. Möchten Sie es in einer anderen Woche versuchen?',
  /** `when` is a whole phrase: "Am Montag, 30. November" or "In der Woche ab Montag, 30. November". */
  free_times: (when: string, list: string) => `${when} ist frei: ${list}. Welche Uhrzeit passt Ihnen?`,
  no_free_times: (when: string) => `${when} ist leider nichts mehr frei.`,
  alternatives: (list: string) => `Frei wäre: ${list}.`,
  still_processing: 'Einen Moment bitte, ich prüfe das noch. Fragen Sie mich gleich noch einmal.',
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
