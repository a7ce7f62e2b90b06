// Cleaning of caller-supplied contact data (phone, e-mail, name) before it reaches Cal.com or
// SQLite. Same result style as the date parser: a value, or a code plus a German sentence.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { normalizeGerman } from './german-text.ts';
import { fail, type Failure } from './result.ts';

export type InputErrorCode = 'invalid_phone' | 'invalid_email' | 'missing_email' | 'invalid_name';

export const INPUT_MESSAGES: Record<InputErrorCode, string> = {
  invalid_phone: 'Die Telefonnummer scheint nicht zu stimmen. Können Sie sie bitte noch einmal langsam nennen?',
  invalid_email: 'Die E-Mail-Adresse scheint nicht zu stimmen. Können Sie sie bitte noch einmal buchstabieren?',
  missing_email: 'Wie lautet Ihre E-Mail-Adresse?',
  invalid_name: 'Den Namen habe ich leider nicht verstanden. Wie ist Ihr Name?',
};

export type Cleaned<C extends InputErrorCode> = { ok: true; value: string } | Failure<C>;

const inputFail = <C extends InputErrorCode>(code: C): Failure<C> => fail(code, INPUT_MESSAGES[code]);

// ---------------------------------------------------------------- phone

const DIGIT_WORDS: Record<string, string> = {
  null: '0', ein: '1', eins: '1', zwei: '2', zwo: '2', drei: '3', vier: '4', fuenf: '5', sechs: '6',
  sieben: '7', acht: '8', neun: '9', plus: '+',
};

/** "null eins sieben eins …" as transcribed from speech → "0171…"; other words are left alone. */
function spokenDigits(text: string): string {
  if (!/[a-z]/i.test(text)) return text;
  return normalizeGerman(text)
    .split(/\s+/)
    .map((w) => DIGIT_WORDS[w] ?? w)
    .join(' ');
}

export interface PhoneOptions {
  /** Country for numbers without a country code; default DE. */
  defaultCountry?: CountryCode;
}

/**
 * Phone number → E.164 ("0171 1234567", "+49 171 1234567", "0049 171 1234567" → "+491711234567").
 * Uses libphonenumber's full metadata, so numbers of impossible length or range are refused.
 */
export function cleanPhone(raw: unknown, opts: PhoneOptions = {}): Cleaned<'invalid_phone'> {
  if ((typeof raw !== 'string' && typeof raw !== 'number') || String(raw).length > 64) return inputFail('invalid_phone');
  const parsed = parsePhoneNumberFromString(spokenDigits(String(raw)), { defaultCountry: opts.defaultCountry ?? 'DE' });
  if (!parsed || !parsed.isValid()) return inputFail('invalid_phone');
  return { ok: true, value: parsed.number };
}

// ---------------------------------------------------------------- e-mail

const emailSchema = z.email().max(254);

/** Answers that mean "I have none / won't give one" ("keine", "ich habe keine E-Mail", "nein"). */
const NO_EMAIL = /(^|\s)(kein|keine|keinen|nein|nicht)(\s|$)|^-+$|^n a$/;

/** Spoken form "max punkt mustermann at gmail punkt com" → "max.mustermann@gmail.com". */
function fromSpoken(text: string): string {
  return text
    .toLowerCase()
    .replace(/(^|\s)ät(?=\s|$)/g, '$1at')
    .replace(/\s*(\bat-zeichen\b|\(at\)|\[at\]|\bat\b|\bklammeraffe\b)\s*/g, '@')
    .replace(/\s*\b(punkt|dot)\b\s*/g, '.')
    .replace(/\s*\b(minus|bindestrich)\b\s*/g, '-')
    .replace(/\s*\bunterstrich\b\s*/g, '_')
    .replace(/\s+/g, '');
}

/** `noreply+<digits>@<domain>` for callers without an address; throws on a bad configured domain. */
export function placeholderEmail(digits: string, domain: string): string {
  const d = digits.replace(/\D/g, '');
  const email = `noreply${d ? `+${d}` : ''}@${domain.trim().toLowerCase()}`;
  if (!emailSchema.safeParse(email).success) throw new Error(`placeholder e-mail domain is invalid: ${domain}`);
  return email;
}

export interface EmailOptions {
  /**
   * Set when the service catalog allows booking without a real address: a missing address
   * (or "keine") then becomes noreply+<digits>@<domain>. A garbled address is still refused,
   * so the caller gets the chance to correct it instead of silently losing the confirmation.
   */
  placeholder?: { domain: string; digits: string };
}

export type CleanedEmail = { ok: true; value: string; placeholder: boolean } | Failure<'invalid_email' | 'missing_email'>;

/** E-mail → trimmed, lowercased, validated; spoken forms ("punkt", "at") are put together first. */
export function cleanEmail(raw: unknown, opts: EmailOptions = {}): CleanedEmail {
  const text = typeof raw === 'string' ? raw.trim() : '';
  const plain = normalizeGerman(text).replace(/[^a-z0-9@-]+/g, ' ').trim();
  if (!text || (!plain.includes('@') && NO_EMAIL.test(plain))) {
    if (!opts.placeholder) return inputFail('missing_email');
    return { ok: true, value: placeholderEmail(opts.placeholder.digits, opts.placeholder.domain), placeholder: true };
  }
  const email = /\s/.test(text) ? fromSpoken(text) : text.toLowerCase();
  if (!emailSchema.safeParse(email).success) return inputFail('invalid_email');
  return { ok: true, value: email, placeholder: false };
}

// ---------------------------------------------------------------- name

export interface NameOptions {
  /** Longer names are cut (at a word boundary where possible); default 100 characters. */
  maxLength?: number;
}

/**
 * Name → without markup, control/invisible characters and brackets, whitespace collapsed, trimmed,
 * at most maxLength characters; must contain a letter.
 */
export function cleanName(raw: unknown, opts: NameOptions = {}): Cleaned<'invalid_name'> {
  if (typeof raw !== 'string') return inputFail('invalid_name');
  const max = opts.maxLength ?? 100;
  let name = raw
    .normalize('NFC')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ') // script bodies are not names
    .replace(/<[^>]*>/g, ' ') // tags
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, ' ') // entities
    .replace(/\p{Cf}/gu, '') // zero-width and other invisible format characters
    .replace(/[\p{Cc}\p{Co}\p{Cs}]/gu, ' ') // control (tabs, newlines, NUL), private use, lone surrogates
    .replace(/[<>{}[\]\\|`"]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:!?.]+|[\s,;:!?]+$/g, '');
  const chars = [...name];
  if (chars.length > max) {
    const cut = chars.slice(0, max).join('');
    const space = cut.lastIndexOf(' ');
    name = (space > max / 2 ? cut.slice(0, space) : cut).trim();
  }
  if (!/\p{L}/u.test(name)) return inputFail('invalid_name');
  return { ok: true, value: name };
}
