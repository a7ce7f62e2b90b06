import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Cal.com's published OpenAPI document (apps/api/v2/swagger/documentation.json, see
 * /work/shared/reference/calcom-v2.md §9) and a small checker for the subset of JSON Schema
 * it uses: type, properties, required, enum, items, $ref, allOf/oneOf/anyOf, nullable.
 * No ajv in the tree; this is enough to catch a missing required property or a wrong type.
 */
// shared/ lies beside the checkout (in CI: beside the clone); /work/shared on the workplace machine.
const DOC_PATH = [fileURLToPath(new URL('../../../shared/reference/calcom-v2-openapi.json', import.meta.url)), '/work/shared/reference/calcom-v2-openapi.json'].find((path) => existsSync(path)) ?? '/work/shared/reference/calcom-v2-openapi.json';

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
};

let doc: { components: { schemas: Record<string, Schema> } } | undefined;
function components(): Record<string, Schema> {
  doc ??= JSON.parse(readFileSync(DOC_PATH, 'utf8'));
  return doc!.components.schemas;
}

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').at(-1)!;
  const target = components()[name];
  if (!target) throw new Error(`unknown schema ${name}`);
  return resolve(target);
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return true;
  }
}

/** Problems of `value` against `schema` (empty when it conforms). */
export function check(schema: Schema, value: unknown, path = '$'): string[] {
  const s = resolve(schema);
  if (value === null) return s.nullable || s.type === undefined ? [] : [`${path}: null`];
  if (s.allOf) return s.allOf.flatMap((part) => check(part, value, path));
  if (s.oneOf || s.anyOf) {
    const options = (s.oneOf ?? s.anyOf)!;
    return options.some((o) => check(o, value, path).length === 0) ? [] : [`${path}: matches none of ${options.length} alternatives`];
  }
  if (s.type && !typeOk(s.type, value)) return [`${path}: expected ${s.type}, got ${JSON.stringify(value)?.slice(0, 60)}`];
  if (s.enum && !s.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} not in enum`];
  const out: string[] = [];
  if (s.items && Array.isArray(value)) value.forEach((item, i) => out.push(...check(s.items!, item, `${path}[${i}]`)));
  if (s.properties && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (obj[key] === undefined) out.push(`${path}.${key}: required`);
    for (const [key, sub] of Object.entries(s.properties)) if (obj[key] !== undefined) out.push(...check(sub, obj[key], `${path}.${key}`));
  }
  return out;
}

/** Problems of `value` against the named component schema. */
export function checkComponent(name: string, value: unknown): string[] {
  return check({ $ref: `#/components/schemas/${name}` }, value);
}
