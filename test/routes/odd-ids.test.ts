import { beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../helpers/harness.js';

/**
 * The contract: ids are opaque and never format-checked; an unknown or odd-looking id is 404, not
 * 400, and never 500. Every route with a path parameter, read from /openapi.json, gets odd ids.
 */
let h: Harness;
let token: string;

beforeAll(async () => {
  // Photos configured, so their routes (and the media route) are in the document and covered.
  h = await harness({ images: {} });
  token = (await h.login('odd-ids', '好奇的人')).token;
});

const ODD = ['x'.repeat(3000), '中文编号', '..', 'a b', '%00', 'CAMPAIGN#x', "'; DROP TABLE"];

describe('odd ids in every path', () => {
  it('are answered 404 (or 401/403/400 for the caller or body), never 500', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).filter(([path]) => path.includes('{'));
    expect(routes.length).toBeGreaterThan(5);
    for (const [path, ops] of routes) {
      for (const method of Object.keys(ops)) {
        for (const odd of ODD) {
          const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(odd));
          const res = await h.call(method.toUpperCase(), url, { token, ...(method === 'get' || method === 'delete' ? {} : { body: {} }) });
          expect(res.status, `${method.toUpperCase()} ${path} with ${odd.slice(0, 20)}`).toBeLessThan(500);
          if (res.status !== 404)
            expect([400, 401, 403], `${method.toUpperCase()} ${path}: ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
        }
      }
    }
  });

  it('odd ids inside a real campaign (entry, helper ids) are never 500 either', async () => {
    const campaign = await h.createCampaign(token);
    const doc = (await h.call('GET', '/openapi.json')).body;
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).filter(
      ([path]) => path.startsWith('/campaigns/{id}/') && /\{(?!id\})[^}]+\}/.test(path),
    );
    expect(routes.length).toBeGreaterThan(2);
    for (const [path, ops] of routes) {
      for (const method of Object.keys(ops)) {
        for (const odd of ODD) {
          const url = path.replace('{id}', campaign.id).replace(/\{[^}]+\}/g, encodeURIComponent(odd));
          const res = await h.call(method.toUpperCase(), url, { token, ...(method === 'get' || method === 'delete' ? {} : { body: {} }) });
          expect(res.status, `${method.toUpperCase()} ${path} with ${odd.slice(0, 20)}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
        }
      }
    }
  });

  it('a 3,000-character campaign id reads as 404 NOT_FOUND', async () => {
    const res = await h.call('GET', `/campaigns/${'c'.repeat(3000)}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
