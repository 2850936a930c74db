import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_CONFIG, registerConfigCommands } from '../../../src/cli/config-command.js';

/** `kis-trader config check` resolves the strategies as the daemon would at start (runtime/strategies.ts). */

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const EXAMPLE = resolve(import.meta.dirname, '..', '..', '..', 'examples', 'strategies', 'ma-cross.js');

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** An installation whose config/local.json holds the given strategies. */
function project(strategies: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'kis-cli-strategies-'));
  dirs.push(root);
  mkdirSync(join(root, 'config'));
  writeFileSync(join(root, 'config', 'default.json'), '{}');
  writeFileSync(join(root, 'config', 'local.json'), JSON.stringify({ strategies }));
  return root;
}

async function check(root: string) {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('kis-trader').exitOverride();
  registerConfigCommands(program, {
    env: {}, cwd: root, out: (s) => out.push(s), err: (s) => err.push(s),
    exit: (code) => {
      throw new Exit(code);
    },
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'kis-trader', 'config', 'check']);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  return { code, out: out.join('\n'), errLines: err };
}

const goodRules = { entry: { name: 'dip', all: [{ left: 'rsi(2)', op: '<', right: 10 }, { left: 'price', op: '>', right: 'sma(50)' }] } };

describe('kis-trader config check: strategies', () => {
  it('suggests the param a typo meant, for built-ins whose params are converted (a zod pipe)', async () => {
    const r = await check(project({ 'momentum-volume': { params: { minChangPct: 3 } }, gaps: { use: 'gap-and-go', params: { minGapPtc: 1 } } }));
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.errLines.join('\n')).toContain('strategies.momentum-volume.params.minChangPct: unrecognized key (did you mean minChangePct?)');
    expect(r.errLines.join('\n')).toContain('strategies.gaps.params.minGapPtc: unrecognized key (did you mean minGapPct?)');
  });

  it('says what a strategy id may contain', async () => {
    const r = await check(project({ My_Strat: { use: 'gap-and-go' } }));
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.errLines.join('\n')).toMatch(/strategies\.My_Strat: is not a valid name: a strategy id is 1–32 lower-case letters, digits and dashes/);
  });

  it('names a bad rules param with its path, and exits 78', async () => {
    const root = project({ dip: { use: 'rules', params: { entry: { all: [{ left: 'price', op: '>', right: 'smaa(50)' }] } } } });
    const r = await check(root);
    expect(r.code).toBe(EXIT_CONFIG);
    expect(r.errLines).toEqual([
      'config rejected (CONFIG_INVALID), 1 problem:',
      'strategies.dip.params.entry.all[0].right: unknown indicator "smaa" (did you mean sma?), got "smaa(50)"',
    ]);
    expect(r.out).toBe('');
  });

  it('names a module path that does not exist', async () => {
    const root = project({ mine: { use: 'module', module: './strategies/mine.js' } });
    const r = await check(root);
    expect(r.code).toBe(78);
    expect(r.errLines).toContain(`strategies.mine.module: no such file ${join(root, 'strategies', 'mine.js')}`);
  });

  it('lists every strategy problem at once, an unknown built-in included', async () => {
    const root = project({
      dip: { use: 'rules', params: { entry: { all: [{ left: 'position.daysHeld', op: '>', right: 1 }] } } },
      mine: { use: 'module', module: './nope.js' },
      other: { use: 'momentum-volum' },
    });
    const r = await check(root);
    expect(r.code).toBe(78);
    expect(r.errLines[0]).toBe('config rejected (CONFIG_INVALID), 3 problems:');
    expect(r.errLines.slice(1).map((l) => l.split(':')[0])).toEqual(['strategies.dip.params.entry.all[0].left', 'strategies.mine.module', 'strategies.other.use']);
  });

  it('passes good rules and the example module, and lists them', async () => {
    const root = project({ dip: { use: 'rules', params: goodRules }, cross: { use: 'module', module: EXAMPLE, params: { fastDays: 10 } } });
    const r = await check(root);
    expect(r.errLines).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^config OK \(mode sim, hash [0-9a-f]{16}\)/);
    expect(r.out).toContain('strategies:\n  dip: rules, reads 50 completed daily bars\n  cross: ma-cross, reads 20 completed daily bars');
  });

  it('leaves a disabled strategy unchecked, as the daemon does', async () => {
    const root = project({ dip: { use: 'rules', params: goodRules }, off: { use: 'module', module: './gone.js', enabled: false } });
    expect((await check(root)).code).toBe(0);
  });
});
