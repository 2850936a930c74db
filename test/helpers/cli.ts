import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { ROOT } from './daemon.js';

/** A temp directory removed when the test that made it finishes. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export interface CliRun { code: number | null; out: string; err: string }

/** Runs the CLI (src through tsx) in `cwd` with exactly `env` plus PATH/HOME, as an operator would. */
export function spawnCli(args: string[], cwd: string, env: Record<string, string>, opts: { closeStdoutAfterFirstChunk?: boolean } = {}): Promise<CliRun> {
  // tsx by its file URL: `--import tsx` would resolve from the (foreign) working directory
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (opts.closeStdoutAfterFirstChunk) child.stdout.destroy();
  });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}
