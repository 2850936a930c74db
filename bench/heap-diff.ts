/**
 * Compares two V8 heap snapshots (bench/soak.ts with SOAK_SNAPSHOTS): live bytes and object counts
 * by constructor name, the largest growth first. What grows night after night is what a leak is made of.
 *
 *   npx tsx bench/heap-diff.ts OLD.heapsnapshot NEW.heapsnapshot [rows=25]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function byConstructor(file: string): Map<string, { bytes: number; count: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    const name = type === 'object' || type === 'closure' || type === 'native' ? s.strings[s.nodes[i + nameAt]!]! : `(${type})`;
    const key = `${type}:${name}`.slice(0, 80);
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += s.nodes[i + sizeAt]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const [oldFile, newFile, rowsArg] = process.argv.slice(2);
if (!oldFile || !newFile) {
  console.error('usage: npx tsx bench/heap-diff.ts OLD.heapsnapshot NEW.heapsnapshot [rows]');
  process.exit(2);
}
const a = byConstructor(oldFile);
const b = byConstructor(newFile);
const total = (m: Map<string, { bytes: number }>): number => [...m.values()].reduce((s, e) => s + e.bytes, 0);
const rows = [...new Set([...a.keys(), ...b.keys()])].map((k) => {
  const x = a.get(k) ?? { bytes: 0, count: 0 };
  const y = b.get(k) ?? { bytes: 0, count: 0 };
  return { k, dBytes: y.bytes - x.bytes, dCount: y.count - x.count, bytes: y.bytes };
}).sort((p, q) => q.dBytes - p.dBytes);
console.log(`live heap: ${(total(a) / 1048576).toFixed(2)} → ${(total(b) / 1048576).toFixed(2)} MiB`);
for (const r of rows.slice(0, Number(rowsArg ?? 25))) {
  console.log(`${(r.dBytes / 1024).toFixed(1).padStart(10)} KiB ${String(r.dCount).padStart(8)} objs  ${r.k}  (now ${(r.bytes / 1024).toFixed(0)} KiB)`);
}
