import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/review/index.js';
import type { ReviewInput } from '../../../src/review/index.js';
import { SAMPLE_NAMES, sampleReview } from '../../helpers/review-sample.js';

/**
 * The report in a real headless Chromium (issue 11): Debian's `chromium`, which .ci/run installs.
 * Only where /usr/bin/chromium is absent are these tests skipped, and they say why.
 */
const CHROMIUM = '/usr/bin/chromium';
const PRESENT = existsSync(CHROMIUM);
const WHY = `${CHROMIUM} is absent: install Debian's chromium (apt-get install chromium; .ci/run does)`;

/** What the page function reads of an <svg> (the tests' TypeScript has no DOM library). */
interface ChartElement {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): { length: number };
  getBoundingClientRect(): { width: number };
}

interface Loaded {
  url: string;
  problems: string[];
  requests: string[];
  charts: { cls: string; declared: number; pts: number; width: number }[];
  text: string;
}

describe('the review report in Chromium', () => {
  let browser: Browser | undefined;
  let dir = '';

  beforeAll(async () => {
    if (!PRESENT) return;
    dir = mkdtempSync(join(tmpdir(), 'kis-report-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the report of `input` to a file, opens it, and collects what a reader would see and what went wrong. */
  async function load(input: ReviewInput, name: string): Promise<Loaded> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderReport(input));
    const url = pathToFileURL(file).href;
    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
    const charts = await page.$$eval('svg.chart', (els) => (els as unknown as ChartElement[]).map((e) => ({
      cls: e.getAttribute('class') ?? '',
      declared: Number(e.getAttribute('data-points')),
      pts: e.querySelectorAll('.pt').length,
      width: e.getBoundingClientRect().width,
    })));
    const text = await page.innerText('body');
    await page.close();
    return { url, problems, requests, charts, text };
  }

  it('loads offline with no error; every chart has its data points; the Korean names show', async ({ skip }) => {
    skip(!PRESENT, WHY);
    const input = sampleReview();
    const r = await load(input, 'sample');
    expect(r.problems).toEqual([]);
    expect(r.requests).toEqual([r.url]);
    expect(r.charts.map((c) => c.cls)).toEqual([
      'chart equity', 'chart drawdown', 'chart daily', 'chart by-strategy', 'chart by-symbol',
    ]);
    for (const c of r.charts) {
      expect(c.pts, c.cls).toBeGreaterThan(0);
      expect(c.declared, c.cls).toBe(c.pts);
      expect(c.width, c.cls).toBeGreaterThan(300);
    }
    expect(r.charts[0]!.declared).toBe(input.daily.length);
    const traded = new Set(input.roundTrips.map((t) => t.symbol));
    for (const symbol of traded) expect(r.text).toContain(`${symbol} ${SAMPLE_NAMES[symbol]}`);
    expect(r.text).toContain('삼성전자');
  });

  it('shows a name that looks like HTML as text and runs nothing', async ({ skip }) => {
    skip(!PRESENT, WHY);
    const input = sampleReview(5);
    const names = { ...input.names, '005930': '<script>alert(1)</script><img src=x>' };
    const r = await load({ ...input, names }, 'evil');
    expect(r.problems).toEqual([]);
    expect(r.requests).toEqual([r.url]);
    expect(r.text).toContain('005930 <script>alert(1)</script><img src=x>');
  });

  it('opens the empty report: no chart, no error, says there is nothing yet', async ({ skip }) => {
    skip(!PRESENT, WHY);
    const r = await load({ ...sampleReview(1), roundTrips: [], daily: [], guards: [], configs: [] }, 'empty');
    expect(r.problems).toEqual([]);
    expect(r.requests).toEqual([r.url]);
    expect(r.charts).toEqual([]);
    expect(r.text).toContain('Nothing to review yet');
  });
});
