import { beforeAll, describe, expect, it } from 'vitest';
import { LAZY_ROUTES, type LazyModule, onFirstUse } from '../../functions/lazy-routes.js';
import { newRouter } from '../../functions/validation.js';
import { NotFoundError } from '../../shared/errors.js';
import { type Harness, harness } from '../helpers/harness.js';

let h: Harness;
let leader: { token: string; userId: string };

beforeAll(async () => {
  // Photos served by the API itself (no CDN base URL): the configuration in which /media exists too.
  h = await harness({ images: {} });
  leader = await h.login('lazy-leader', '团长');
});

describe('route modules mounted on first use (functions/lazy-routes.ts)', () => {
  it('each module lists exactly the paths it registers, so none of its routes is unreachable', async () => {
    for (const [name, module] of Object.entries(LAZY_ROUTES)) {
      const router = await module.load(h.deps);
      const registered = new Set(router.routes.filter((r) => r.method !== 'ALL').map((r) => r.path));
      expect([...registered].sort(), name).toEqual([...module.paths].sort());
    }
  });

  it('a lazy route runs behind the app: its user and request id, the staff audit by its own route, errors as the app answers them', async () => {
    const c = await h.createCampaign(leader.token);
    const member = await h.login('lazy-member');
    const blocked = await h.call('POST', `/campaigns/${c.id}/blocks`, {
      token: leader.token,
      body: { userId: member.userId },
      headers: { 'x-request-id': 'lazy-req-1' },
    });
    expect(blocked.status, blocked.text).toBe(201);
    expect(blocked.body.blockedBy).toBe(leader.userId);
    expect(blocked.headers.get('x-request-id')).toBe('lazy-req-1');
    const actions = await h.call('GET', `/campaigns/${c.id}/staff-actions`, { token: leader.token });
    expect(actions.body.actions.map((a: { operation: string }) => a.operation)).toContain('POST /campaigns/{id}/blocks');
    // Without a token the module's route sees no user; with a bad body, the app's validation error.
    expect((await h.call('GET', `/campaigns/${c.id}/blocks`)).status).toBe(401);
    const invalid = await h.call('POST', `/campaigns/${c.id}/blocks`, { token: leader.token, body: { userId: 42 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    expect(invalid.headers.get('x-request-id')).toBeTruthy();
  });

  it('a method the module has no route for falls through to the app: 404 "No such route", as before', async () => {
    const c = await h.createCampaign(leader.token);
    const res = await h.call('PATCH', `/campaigns/${c.id}/blocks`, { token: leader.token, body: {} });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: new NotFoundError('').code, message: 'No such route' } });
  });

  it('a module is loaded once, on the first request for one of its paths, and again after a failed load', async () => {
    let loads = 0;
    let failNext = true;
    const modules: Record<'probe', LazyModule> = {
      probe: {
        paths: ['/probe/:id'],
        load: async () => {
          loads++;
          if (failNext) {
            failNext = false;
            throw new Error('chunk not readable yet');
          }
          const router = newRouter();
          router.get('/probe/:id', (c) => c.json({ id: c.req.param('id'), user: c.get('user')?.id ?? null }));
          return router;
        },
      },
    };
    const app = newRouter();
    app.use('*', async (c, next) => {
      c.set('user', { id: 'u_probe', nickname: 'p' } as never);
      await next();
    });
    app.get('/eager', (c) => c.text('eager'));
    onFirstUse(h.deps, modules).mount(app, 'probe');
    app.onError((err, c) => c.text(err.message, 500));
    app.notFound((c) => c.text('none', 404));

    expect(await (await app.request('/eager')).text()).toBe('eager');
    expect(loads).toBe(0);
    const failed = await app.request('/probe/1');
    expect([failed.status, await failed.text()]).toEqual([500, 'chunk not readable yet']);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => app.request(`/probe/${i}`)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await answers[7]!.json()).toEqual({ id: '7', user: 'u_probe' });
    expect(loads).toBe(2);
    // Another method on the module's path: not its route, so the app's own 404.
    const miss = await app.request('/probe/1', { method: 'DELETE' });
    expect([miss.status, await miss.text()]).toEqual([404, 'none']);
  });
});
