import { describe, expect, it } from 'vitest';
import { prefersHtml } from '../../functions/accept.js';

describe('prefersHtml', () => {
  it('is true for what browsers and WeChat send', () => {
    // Chrome / WeChat's in-app browser (X5 and WKWebView send the same shape)
    expect(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8')).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml('TEXT/HTML; charset=utf-8')).toBe(true);
    expect(prefersHtml('text/*, application/json;q=0.5')).toBe(true);
    expect(prefersHtml('text/html, application/json')).toBe(true);
    expect(prefersHtml('application/json;q=0.5, text/html')).toBe(true);
  });

  it('is false for API clients, a bare wildcard, none, JSON first or html refused', () => {
    for (const accept of [
      undefined,
      '',
      '*/*',
      'application/json',
      'application/json, text/plain, */*',
      'application/json, text/html',
      'text/html;q=0.5, application/json',
      'text/html;q=0',
      'text/html;q=abc',
      'text/plain, */*;q=0.1',
      'garbage',
    ]) {
      expect(prefersHtml(accept), String(accept)).toBe(false);
    }
  });
});
