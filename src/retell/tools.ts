// The Retell LLM's custom tools for our functions, as retell-sdk's `CustomTool` describes
// them (resources/llm.d.ts): what `retell tools` prints and `--apply` sends. Every tool
// posts Retell's default body `{name, call, args}` to POST /retell/function (the signed call
// names tenant and caller); parameter names are the German keys src/retell/args.ts reads.
import type { CatalogIndex, CompanyConfig } from '../catalog/index.ts';
import type { FUNCTIONS } from './functions.ts';

/** The subset of retell-sdk's LlmUpdateParams.CustomTool we fill (structurally identical). */
export interface RetellCustomTool {
  type: 'custom';
  name: string;
  description: string;
  url: string;
  method: 'POST';
  parameters: { type: 'object'; properties: Record<string, JsonSchemaProperty>; required?: string[] };
  speak_during_execution: boolean;
  execution_message_description?: string;
  execution_message_type?: 'prompt' | 'static_text';
  speak_after_execution: boolean;
  timeout_ms: number;
}

interface JsonSchemaProperty {
  type: 'string';
  description: string;
}

export interface ToolOptions {
  /** Where Retell reaches this service, e.g. https://booking.example.com (no trailing slash needed). */
  publicBaseUrl: string;
  /** FUNCTION_DEADLINE_MS: every function answers within it ("Einen Moment bitte" when Cal.com is slow). */
  functionDeadlineMs: number;
}

/**
 * Retell gives up on a tool after `timeout_ms` and the agent hears nothing useful; our reply
 * is due at the deadline, so the tool waits that long plus room for the network (2 s), within
 * Retell's allowed 1 s … 10 min.
 */
export const toolTimeoutMs = (deadlineMs: number) => Math.min(600_000, Math.max(1000, deadlineMs + 2000));

const WAIT_MESSAGE = 'Einen Moment bitte, ich schaue kurz nach.';

const p = (description: string): JsonSchemaProperty => ({ type: 'string', description });

/** The tools of one company: descriptions name its services, so the LLM picks names that resolve. */
export function retellTools(catalog: CatalogIndex, company: CompanyConfig, options: ToolOptions): RetellCustomTool[] {
  const names = catalog.servicesOf(company.id).map((e) => e.service.name);
  const url = `${options.publicBaseUrl.replace(/\/+$/, '')}/retell/function`;
  const serviceArg = p(`Die gewünschte Dienstleistung, wie der Anrufer sie nennt. Angebot von ${company.name}: ${names.join(', ')}.`);
  const dateArg = p('Das Datum, wie der Anrufer es sagt, z. B. "morgen", "nächsten Dienstag", "12.12." oder "2026-12-12".');
  const timeArg = p('Die Uhrzeit, wie der Anrufer sie sagt, z. B. "halb elf", "14:30", "nachmittags". Leer lassen, wenn keine genannt wurde.');
  const nameArg = p('Vor- und Nachname des Anrufers, so wie er ihn nennt.');
  const phoneArg = p('Nur wenn der Anrufer ausdrücklich eine andere Telefonnummer nennt; sonst weglassen (die Nummer des Anrufs wird verwendet).');
  const appointmentArgs = {
    termin_id: p('Die Terminnummer, falls der Anrufer sie kennt (sie wurde bei der Buchung genannt).'),
    termin_datum: p('Der Tag, auf den der bestehende Termin gebucht ist, wie der Anrufer ihn nennt.'),
    name: p('Der Name, auf den der Termin gebucht ist (mindestens der Nachname).'),
    telefon: phoneArg,
  };

  const tool = (name: keyof typeof FUNCTIONS, description: string, properties: Record<string, JsonSchemaProperty>, required: string[], slow: boolean): RetellCustomTool => ({
    type: 'custom',
    name,
    description,
    url,
    method: 'POST',
    parameters: { type: 'object', properties, ...(required.length && { required }) },
    // Functions that wait on Cal.com say something meanwhile; local lookups answer in milliseconds.
    speak_during_execution: slow,
    ...(slow && { execution_message_description: WAIT_MESSAGE, execution_message_type: 'static_text' as const }),
    speak_after_execution: true,
    timeout_ms: toolTimeoutMs(options.functionDeadlineMs),
  });

  return [
    tool('list_services', `Nennt die Dienstleistungen von ${company.name} mit Dauer und Preis. Aufrufen, wenn der Anrufer fragt, was angeboten wird.`, {}, [], false),
    tool(
      'check_customer',
      'Prüft zu Beginn des Gesprächs, ob der Anrufer unter seiner Nummer schon Kunde ist, und nennt seinen nächsten Termin.',
      { telefon: phoneArg },
      [],
      false,
    ),
    tool(
      'check_availability',
      'Sucht freie Termine für eine Dienstleistung an einem Tag (optional zu einer Uhrzeit oder Tageszeit). Vor jeder Buchung aufrufen. Die Antwort enthält einen Satz (message), den du sagen kannst.',
      { dienstleistung: serviceArg, datum: dateArg, uhrzeit: timeArg },
      ['dienstleistung', 'datum'],
      true,
    ),
    tool(
      'book_appointment',
      'Bucht einen Termin, nachdem der Anrufer eine freie Uhrzeit bestätigt hat. Name, Dienstleistung, Datum und Uhrzeit sind nötig.',
      { dienstleistung: serviceArg, datum: dateArg, uhrzeit: p('Die bestätigte Uhrzeit, z. B. "14:30".'), name: nameArg, telefon: phoneArg, email: p('E-Mail-Adresse, nur wenn der Anrufer sie nennt.') },
      ['dienstleistung', 'datum', 'uhrzeit', 'name'],
      true,
    ),
    tool(
      'cancel_appointment',
      'Storniert einen bestehenden Termin des Anrufers. Ohne Terminnummer: den Tag des Termins angeben; für eine andere Nummer als die des Anrufs braucht es Namen und Tag.',
      appointmentArgs,
      [],
      true,
    ),
    tool(
      'reschedule_appointment',
      'Verlegt einen bestehenden Termin auf einen neuen Tag und eine neue Uhrzeit (vorher mit check_availability prüfen).',
      { ...appointmentArgs, neues_datum: p('Der neue Tag, wie der Anrufer ihn sagt.'), neue_uhrzeit: p('Die neue Uhrzeit, z. B. "10:00".') },
      ['neues_datum', 'neue_uhrzeit'],
      true,
    ),
    tool(
      'get_alternatives',
      'Nennt die nächsten freien Termine um einen Wunschtermin herum, wenn dieser nicht frei ist.',
      { dienstleistung: serviceArg, datum: dateArg, uhrzeit: timeArg },
      ['dienstleistung', 'datum'],
      true,
    ),
  ];
}
