import { readFileSync } from 'node:fs';
import { findJsonError } from './json-position.js';
import { isPlainObject, type PlainObject } from './merge.js';

export type FileRead =
  | { kind: 'ok'; path: string; value: PlainObject }
  | { kind: 'missing'; path: string }
  | { kind: 'unreadable'; path: string; problem: string };

function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** Reads one config layer. A missing file is not an error here; the caller decides. */
export function readConfigFile(path: string): FileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return { kind: 'missing', path };
    return { kind: 'unreadable', path, problem: `${path}: cannot read the file (${code ?? String(err)})` };
  }
  // Editors on Windows may save a BOM, which JSON.parse rejects though the content is fine.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = findJsonError(text);
    const where = at === null ? '' : ` at line ${at.line}, column ${at.column}`;
    const reason = err instanceof Error ? err.message : String(err);
    return { kind: 'unreadable', path, problem: `${path}: invalid JSON${where} (${reason})` };
  }
  if (!isPlainObject(value)) {
    return { kind: 'unreadable', path, problem: `${path}: expected a JSON object at the top level` };
  }
  return { kind: 'ok', path, value };
}
