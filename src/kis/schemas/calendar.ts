import { z } from 'zod';
import type { CalendarDay } from '../../domain/index.js';
import { date, yn } from './wire.js';
import type { ParseContext } from './wire.js';
import { parseWire } from './wire.js';

/**
 * chk-holiday `output` (docs/kis-wire.md §6.7): consecutive calendar days from BASS_DT. `opnd_yn`
 * (market open) is the flag that decides whether orders can be placed — not bzdy_yn/tr_day_yn.
 */
const holidaysSchema = z.object({
  output: z.array(z.object({ bass_dt: date, opnd_yn: yn })),
});

export function parseHolidays(body: unknown, ctx: ParseContext): CalendarDay[] {
  return parseWire(holidaysSchema, body, ctx).output.map((r) => ({ date: r.bass_dt, open: r.opnd_yn }));
}
