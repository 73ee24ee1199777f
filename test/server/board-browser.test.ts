import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHarnessPerTest } from '../support/import-harness.js';
import { BOARD_ENV, type RunningServe, startServe } from '../support/serve-harness.js';

const open = importHarnessPerTest();

/** Debian's Chromium: `.ci/run` installs it where it is missing. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../.tmp/screenshots/', import.meta.url));

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (what .ci/run does)`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // This machine has no network: without these, Chromium keeps dialling Google's services.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the board in a browser', () => {
  let serve: RunningServe | undefined;

  afterAll(async () => {
    await serve?.close();
  });

  it('shows the batch queue and its completed jobs after an import, then a screenshot', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 350, seed: 21 });
    const summary = await harness.importFile(file);
    await harness.startWorker({ concurrency: 2 });
    await harness.waitForImport(summary.importId);
    serve = await startServe({ ...harness.env, ...BOARD_ENV });

    const context = await browser.newContext({
      httpCredentials: { username: BOARD_ENV.BOARD_USER, password: BOARD_ENV.BOARD_PASSWORD },
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const response = await page.goto(`${serve.url}/board/queue/candidate-batches?status=completed`);
    expect(response?.status()).toBe(200);

    // The board is a single-page app: wait for it to draw the queue and its jobs.
    await page.getByText('candidate-batches').first().waitFor({ timeout: 15_000 });
    const firstJob = `${summary.importId}-000001`;
    await page.getByText(firstJob).first().waitFor({ timeout: 15_000 });
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('webhooks');
    expect(text).toContain(`${summary.importId}-00000${summary.batches}`);

    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, 'board-completed.png');
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(10_000);
    await context.close();
  });

  it('answers 401 to a browser without credentials', async () => {
    const harness = await open();
    const anonymous = await startServe({ ...harness.env, ...BOARD_ENV });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Headless Chromium has nobody to ask for a password: it abandons the navigation
      // (ERR_INVALID_AUTH_CREDENTIALS), after the server's answer, which is what counts here.
      const answer = page.waitForResponse((response) => response.url().endsWith('/board'));
      await page.goto(`${anonymous.url}/board`).catch(() => undefined);
      const response = await answer;
      expect(response.status()).toBe(401);
      expect(await response.headerValue('www-authenticate')).toContain('Basic');
      await context.close();
    } finally {
      await anonymous.close();
    }
  });
});
