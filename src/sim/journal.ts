import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../domain/index.js';
import type { TradingDate } from '../domain/index.js';
import type { PlaceInput, ReviseInput } from '../exchange/index.js';

/**
 * What changed the simulator's books, in order: token issuances and accepted orders, cancels,
 * modifies and rejections after acceptance. The market is a pure function of (seed, time) and matching is deterministic,
 * so replaying this journal into a fresh simulator rebuilds exactly the same accounts, order
 * numbers, fills and tokens. Sim mode keeps it under the data directory, so a daemon restart
 * (or kill -9) finds the broker it left — as it would with KIS.
 */
export type JournalEntry =
  | { kind: 'token'; grantType: string; appKey: string; appSecret: string; at: number }
  | { kind: 'place'; input: PlaceInput }
  | { kind: 'revise'; input: ReviseInput }
  | { kind: 'reject'; date: TradingDate; odno: string; at: number };

export interface SimJournal {
  load(): JournalEntry[];
  append(entry: JournalEntry): void;
}

/** JSON lines, one entry each, appended synchronously before the answer goes out. */
export function createFileJournal(path: string): SimJournal {
  return {
    load() {
      if (!existsSync(path)) return [];
      const lines = readFileSync(path, 'utf8').split('\n');
      const out: JournalEntry[] = [];
      lines.forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          out.push(JSON.parse(line) as JournalEntry);
        } catch {
          // A torn last line (killed mid-write) is dropped; a torn line elsewhere is corruption.
          if (i < lines.length - 2) throw new AppError('SIM_INVALID_OPTIONS', `simulator journal ${path} line ${i + 1} is not JSON`);
        }
      });
      return out;
    },
    append(entry) {
      // Owner-only: it holds the app keys and secrets of the simulated accounts.
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    },
  };
}

/** A journal in memory: tests restart a simulator on it. */
export function createMemoryJournal(): SimJournal & { entries: JournalEntry[] } {
  const entries: JournalEntry[] = [];
  return { entries, load: () => [...entries], append: (e) => { entries.push(e); } };
}
