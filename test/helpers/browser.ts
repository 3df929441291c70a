// A real browser for the integration suite: Debian's chromium driven by playwright-core (which ships no browser
// of its own and downloads nothing). `.ci/run` installs the chromium package; CHROMIUM_PATH overrides the path.
//
//   await withBrowser(async (page) => { await page.goto(url); … await saveScreenshot(page, 'console-overview'); });
//
// Every launch gets a fresh user-data-dir (removed on close), so no test sees another's cookies or storage.
// Screenshots go to .tmp/screenshots/ (gitignored); a test that produces a committed picture copies it itself.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../.tmp/screenshots');

// No network of its own (updates, sync, field trials, QUIC probes): the test's page is the only traffic.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export interface LaunchedBrowser {
  browser: BrowserContext;
  /** The first page (tab) of the context; open more with browser.newPage(). */
  page: Page;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Viewport of the page; default 1280×800. */
  viewport?: { width: number; height: number };
}

/** Launches headless chromium with a fresh profile. Always call close() (or use withBrowser). */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'smsc-connect-chromium-'));
  let context: BrowserContext;
  try {
    // A persistent context is the only way to hand chromium our own --user-data-dir.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser: context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` with a fresh browser's page and closes the browser whatever happens. */
export async function withBrowser<T>(work: (page: Page, browser: BrowserContext) => Promise<T>, options: LaunchOptions = {}): Promise<T> {
  const launched = await launchBrowser(options);
  try {
    return await work(launched.page, launched.browser);
  } finally {
    await launched.close();
  }
}

/** Saves a full-page PNG as .tmp/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
