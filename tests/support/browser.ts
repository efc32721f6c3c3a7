// A real headless browser for the pages the platform serves (the /docs page, the queue console):
// Debian's chromium driven by playwright-core, which downloads nothing. `openPage` loads a URL
// and records what a user would not see in a screenshot: console errors, page errors, failed
// requests, and every request to another origin.
import { existsSync } from 'node:fs';

import { type Browser, chromium, type Page } from 'playwright-core';

/** Where `.ci/run` installs Debian's chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface PageVisit {
  page: Page;
  /** HTTP status of the document. */
  status: number;
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** Requests to any origin other than the page's own. */
  outsideRequests: string[];
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install chromium (.ci/run does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface OpenPageOptions {
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Basic-auth credentials answered to a 401 challenge. */
  httpCredentials?: { username: string; password: string };
}

/** Opens `url` in a fresh context and waits for the network to settle. */
export async function openPage(
  browser: Browser,
  url: string,
  options: OpenPageOptions = {},
): Promise<PageVisit> {
  const context = await browser.newContext({
    extraHTTPHeaders: options.headers,
    httpCredentials: options.httpCredentials,
  });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  const visit: Omit<PageVisit, 'page' | 'status'> = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    outsideRequests: [],
  };
  page.on('console', (message) => {
    if (message.type() === 'error') visit.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => visit.pageErrors.push(error.message));
  page.on('requestfailed', (request) => visit.failedRequests.push(request.url()));
  page.on('request', (request) => {
    const target = request.url();
    if (/^(data|blob|about):/.test(target)) return;
    if (new URL(target).origin !== origin) visit.outsideRequests.push(target);
  });
  const response = await page.goto(url, { waitUntil: 'networkidle', timeout: 30_000 });
  return { page, status: response?.status() ?? 0, ...visit };
}
