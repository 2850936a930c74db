/**
 * Screenshots of the review report for the README: renders the sample review (test/helpers/review-sample.ts)
 * and photographs it in Debian's Chromium.
 *
 *   npx tsx scripts/report-screenshots.ts [out-dir]      (default docs/img)
 *
 * Needs /usr/bin/chromium (Debian `chromium`) and a CJK font (Debian `fonts-noto-cjk`) for the names.
 * With Debian `pngquant` on the PATH the PNG is cut to 256 colours (about a third of the bytes), so
 * the README's images stay small; without it the full-colour PNG is kept and its size is said.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderReport } from '../src/review/index.js';
import { sampleReview } from '../test/helpers/review-sample.js';

const CHROMIUM = '/usr/bin/chromium';

/** Quantizes `file` in place with pngquant when it is installed; says the size either way. */
function shrink(file: string): void {
  const before = statSync(file).size;
  const q = spawnSync('pngquant', ['--speed', '1', '--force', '--ext', '.png', '256', file], { stdio: 'inherit' });
  if (q.error) console.warn(`pngquant not found (apt-get install pngquant): ${file} kept at full colour`);
  console.log(`wrote ${file} (${Math.round(before / 1024)} KB → ${Math.round(statSync(file).size / 1024)} KB)`);
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'docs/img');
  mkdirSync(outDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'kis-report-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReport(sampleReview()));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(file).href);
    const out = join(outDir, 'report-overview.png');
    await page.screenshot({ path: out, fullPage: true });
    shrink(out);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
