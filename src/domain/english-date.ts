import type { Field, Piece } from './german-pieces.ts';
import type { Ctx } from './resolve-day.ts';
export function scanEnglish(_text: string, _field: Field, _ctx: Ctx): Piece[] | null {
  return null;
}
