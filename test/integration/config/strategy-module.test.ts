import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { basisPoints, isAppError, krw } from '../../../src/domain/index.js';
import type { StrategySlice } from '../../../src/domain/index.js';
import { resolveStrategies } from '../../../src/runtime/index.js';
import { REGULAR_SESSION } from '../../../src/signals/index.js';
import { SYM, TODAY, bars, quote } from '../../unit/signals/builders.js';

/** The installation: the example lives under it, so its `import 'zod'` resolves. */
const INSTALL = resolve(import.meta.dirname, '..', '..', '..');
const EXAMPLE = './examples/strategies/ma-cross.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A directory outside the installation holding the given files. */
function outside(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kis-strategy-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function slice(id: string, module: string, params: Record<string, unknown> = {}): StrategySlice {
  return {
    id, use: 'module', module, params,
    universe: { minPrice: null, maxPrice: null, minTradedValue: null, maxRank: null, symbols: [], exclude: [] },
    budgetBp: basisPoints(100), maxPositions: 5,
    exits: { stopLossBp: 300, takeProfitBp: null, breakEvenAfterBp: null, trailAtrMultiple: null, atrPeriod: 14, maxHoldDays: 5 },
  };
}

/** The problem lines resolveStrategies rejects the slices with. */
async function problems(slices: StrategySlice[], root = INSTALL): Promise<string[]> {
  try {
    await resolveStrategies(slices, root);
  } catch (err) {
    if (isAppError(err, 'CONFIG_INVALID')) return err.details['problems'] as string[];
    throw err;
  }
  throw new Error('resolveStrategies accepted the slices');
}

describe('module strategies: the example', () => {
  it('loads examples/strategies/ma-cross.js with its params parsed by its own schema', async () => {
    const [cross] = await resolveStrategies([slice('cross', EXAMPLE, { fastDays: 3, slowDays: 10 })], INSTALL);
    expect(cross).toMatchObject({ id: 'cross', use: 'ma-cross', barsNeeded: 10 });
    // nine days at 10,000 then a dip: yesterday the fast average was below the slow one; today's 11,500 crosses it
    const snapshot = {
      symbol: SYM, today: TODAY, bars: bars([...Array<number>(9).fill(10_000), 9_000]), session: REGULAR_SESSION, scan: null, position: null,
    };
    expect(cross!.entry({ ...snapshot, quote: quote({ price: krw(11_500) }) })).toMatchObject({ fire: true, rule: 'ma-cross' });
    expect(cross!.entry({ ...snapshot, quote: quote({ price: krw(9_200) }) })).toMatchObject({ fire: false, rule: 'ma-cross:no-cross' });
  });

  it('takes its defaults when the config gives no params', async () => {
    const [cross] = await resolveStrategies([slice('cross', EXAMPLE)], INSTALL);
    expect(cross?.barsNeeded).toBe(20);
  });

  it.each([
    [{ fastDays: 30, slowDays: 20 }, 'strategies.cross.params.fastDays: must be below slowDays'],
    [{ fastDays: 1 }, 'strategies.cross.params.fastDays: must be at least 2'],
    [{ fastDay: 5 }, 'strategies.cross.params.fastDay: unrecognized key (did you mean fastDays?)'],
  ])('reports a bad param %j under strategies.<id>.params', async (params, line) => {
    expect(await problems([slice('cross', EXAMPLE, params)])).toEqual([line]);
  });
});

describe('module strategies: what cannot be loaded is a problem naming the file', () => {
  it('a missing file', async () => {
    expect(await problems([slice('gone', './strategies/nope.js')])).toEqual([
      `strategies.gone.module: no such file ${join(INSTALL, 'strategies', 'nope.js')}`,
    ]);
  });

  it('a file that throws on import', async () => {
    const dir = outside({ 'boom.js': "throw new Error('boom at load');\n" });
    const [line] = await problems([slice('boom', join(dir, 'boom.js'))]);
    expect(line).toBe(`strategies.boom.module: ${join(dir, 'boom.js')} does not load: boom at load`);
  });

  it('a file exporting something that is not a strategy', async () => {
    const dir = outside({ 'half.js': "export default { name: 'half', params: {}, entry: 1 };\n" });
    expect(await problems([slice('half', join(dir, 'half.js'))])).toEqual([
      `strategies.half.module: ${join(dir, 'half.js')} must export (default or as \`strategy\`) a Strategy: `
      + '`params` must be a zod schema; `barsNeeded(params)` must be a function; `entry(snapshot, params)` must be a function',
    ]);
  });

  it('a module outside the installation that imports zod, which it cannot resolve', () => {
    // In a child Node: vitest's own resolver would find zod for a file anywhere.
    const dir = outside({ 'needs-zod.js': "import { z } from 'zod';\nexport default { name: 'x', params: z.object({}) };\n" });
    writeFileSync(join(dir, 'probe.ts'), `import { resolveStrategies } from ${JSON.stringify(join(INSTALL, 'src', 'runtime', 'index.ts'))};
resolveStrategies([${JSON.stringify(slice('x', './needs-zod.js'))}], ${JSON.stringify(dir)})
  .catch((e) => { console.log(e.details.problems.join('\\n')); });
`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(dir, 'probe.ts')], { cwd: INSTALL, encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`^strategies\\.x\\.module: ${join(dir, 'needs-zod.js')} does not load: Cannot find (module|package) 'zod'`));
    expect(out).toContain('a module outside the installation cannot import zod: export `({ z }) => strategy` instead');
  });

  it('every strategy at once, each under its own id', async () => {
    const lines = await problems([slice('a', './a.js'), slice('cross', EXAMPLE, { slowDays: 500 }), slice('b', './b.js')]);
    expect(lines.map((l) => l.split(':')[0])).toEqual(['strategies.a.module', 'strategies.cross.params.slowDays', 'strategies.b.module']);
  });
});

describe('module strategies outside the installation', () => {
  const factory = `export default ({ z }) => ({
  name: 'outside',
  summary: 'a price floor',
  params: z.strictObject({ minPrice: z.int().min(1).default(1000) }),
  barsNeeded: () => 0,
  entry: ({ quote }, p) => ({ fire: quote.price >= p.minPrice, rule: 'outside', values: { minPrice: p.minPrice } }),
});
`;

  it('export a function of { z } and get kis-trader\'s zod', async () => {
    const dir = outside({ 'floor.js': factory });
    const [s] = await resolveStrategies([slice('floor', './floor.js', { minPrice: 5000 })], dir);
    expect(s).toMatchObject({ id: 'floor', use: 'outside', barsNeeded: 0 });
    expect(await problems([slice('floor', './floor.js', { minPrice: 0 })], dir)).toEqual(['strategies.floor.params.minPrice: must be at least 1']);
  });

  it('may give params as any object with safeParse', async () => {
    const plain = `export const strategy = {
  name: 'plain', summary: 'no zod at all', barsNeeded: () => 0,
  params: { safeParse: (p) => (typeof p.level === 'number'
    ? { success: true, data: p }
    : { success: false, error: { issues: [{ code: 'custom', path: ['level'], message: 'must be a number' }] } }) },
  entry: () => ({ fire: false, rule: 'plain', values: {} }),
};
`;
    const dir = outside({ 'plain.js': plain });
    expect(await resolveStrategies([slice('plain', './plain.js', { level: 3 })], dir)).toHaveLength(1);
    expect(await problems([slice('plain', './plain.js', {})], dir)).toEqual(['strategies.plain.params.level: must be a number']);
  });

  it('a function that throws is a problem naming the file', async () => {
    const dir = outside({ 'bad.js': "export default () => { throw new Error('no z here'); };\n" });
    expect(await problems([slice('bad', './bad.js')], dir)).toEqual([
      `strategies.bad.module: ${join(dir, 'bad.js')}: its exported function threw: no z here`,
    ]);
  });
});
