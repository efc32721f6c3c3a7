// The generated OpenAPI document validates (swagger-parser, OpenAPI 3.1) and lists the
// lifecycle's operations; /docs serves Swagger UI from the package's own files under a CSP that
// allows only this origin, with no reference to any other host; in a real headless chromium
// (Debian's, driven by playwright-core) the page renders one block per operation of the
// document, an expanded operation shows its example, and the page logs no console or page error,
// has no failed request and asks no other origin for anything; the bound on open event streams
// answers 503 with Retry-After past it.
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Browser } from 'playwright-core';

import { familyRequest } from '../fixtures/domain';
import { launchBrowser, openPage } from '../support/browser';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { openStream } from '../support/sse';

let platform: TestPlatform;

/** The little of the DOM read in the page (the tests compile without the DOM's types). */
interface RenderedElement {
  querySelector(selector: string): RenderedElement | null;
  getAttribute(name: string): string | null;
  textContent: string | null;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId: string; summary?: string }>>;
}

beforeAll(async () => {
  platform = await startPlatform({
    worker: false,
    env: { SSE_MAX_STREAMS: '1', SSE_HEARTBEAT_MS: '200', ADMISSION_MAX_WAIT_MS: '0' },
  });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describe('the API document and its docs page', () => {
  it('validates as OpenAPI 3.1 and declares the lifecycle operations', async () => {
    const { body } = await call<Record<string, unknown>>(platform.api.url, 'GET', '/openapi.json');
    const api = (await SwaggerParser.validate(structuredClone(body) as never)) as unknown as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const ids = Object.values(api.paths).flatMap((ops) =>
      Object.values(ops).map((o) => o.operationId),
    );
    expect(ids).toEqual(
      expect.arrayContaining([
        'listPredictions',
        'cancelPrediction',
        'streamPrediction',
        'listWebhookDeliveries',
        'redeliverWebhook',
        'docs',
      ]),
    );
  });

  it('serves the page and its assets from this origin only', async () => {
    const page = await fetch(`${platform.api.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const asset = await fetch(`${platform.api.url}${src}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-security-policy')).toBe(csp);
      await asset.arrayBuffer();
    }
    const init = await (await fetch(`${platform.api.url}/docs/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });
});

describe('the docs page in headless chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows every operation of the document, with its example, and nothing goes wrong', async () => {
    const { body: document } = await call<OpenApiDocument>(
      platform.api.url,
      'GET',
      '/openapi.json',
    );
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, ...op })),
    );
    expect(operations.length).toBeGreaterThan(20);

    const visit = await openPage(browser, `${platform.api.url}/docs`);
    try {
      expect(visit.status).toBe(200);
      const { page } = visit;
      // Swagger UI renders after fetching /openapi.json; every tag starts expanded.
      await page.waitForSelector('.opblock', { timeout: 30_000 }).catch((error: Error) => {
        throw new Error(
          `${error.message}\nconsole errors: ${visit.consoleErrors.join('\n')}\npage errors: ${visit.pageErrors.join('\n')}`,
        );
      });
      await eventually(
        'every operation is rendered',
        async () =>
          (await page.locator('.opblock').count()) === operations.length ? true : undefined,
        30_000,
      );
      const rendered = await page.$$eval('.opblock', (blocks: RenderedElement[]) =>
        blocks.map((block) => ({
          method: block.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase(),
          path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
          operationId: block.querySelector('.opblock-summary-operation-id')?.textContent?.trim(),
          summary: block.querySelector('.opblock-summary-description')?.textContent?.trim(),
        })),
      );
      expect(rendered.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
        operations.map((o) => `${o.method} ${o.path}`).sort(),
      );
      expect(rendered.map((r) => r.operationId).sort()).toEqual(
        operations.map((o) => o.operationId).sort(),
      );
      for (const id of ['submitPrediction', 'listPredictions', 'cancelPrediction', 'docs']) {
        const summary = operations.find((o) => o.operationId === id)?.summary;
        expect(summary).toBeTruthy();
        expect(rendered.find((r) => r.operationId === id)?.summary).toBe(summary);
      }

      // Expanding an operation shows its example request body.
      const create = page.locator('.opblock', { has: page.locator('text=submitPrediction') });
      await create.locator('.opblock-summary').first().click();
      const example = create.locator(
        '.opblock-body .body-param__example, .opblock-body .microlight',
      );
      await example.first().waitFor({ timeout: 15_000 });
      const text = await example.first().innerText();
      expect(text).toContain('"people_age"');
      expect(text).toContain('https://example.com/hooks/predictq');

      expect(visit.consoleErrors).toEqual([]);
      expect(visit.pageErrors).toEqual([]);
      expect(visit.failedRequests).toEqual([]);
      expect(visit.outsideRequests).toEqual([]);
    } finally {
      await visit.page.context().close();
    }
  }, 120_000);
});

describe('event streams', () => {
  it('sends heartbeats, and answers 503 with Retry-After past SSE_MAX_STREAMS', async () => {
    const { body } = await call<{ id: string }>(platform.api.url, 'POST', '/v1/predictions', {
      body: familyRequest,
    });
    const first = await openStream(`${platform.api.url}/v1/predictions/${body.id}/stream`);
    expect(first.status).toBe(200);
    const refused = await call(platform.api.url, 'GET', `/v1/predictions/${body.id}/stream`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    await new Promise((r) => setTimeout(r, 700));
    expect(first.comments).toBeGreaterThanOrEqual(2);
    expect(first.events.map((e) => e.event)).toEqual(['queued']);
    first.close();
    await first.ended;
    // The server frees the slot once it sees the connection close, a moment after the client
    // aborted (later still on a loaded machine): until then the bound still answers 503.
    const unknownUrl = `${platform.api.url}/v1/predictions/6e6e3af3-aaff-4fef-9ffb-f079cf4a8f60/stream`;
    const deadline = Date.now() + 15_000;
    let unknown = await openStream(unknownUrl);
    while (unknown.status === 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      unknown = await openStream(unknownUrl);
    }
    expect(unknown.status).toBe(404);
  });
});
