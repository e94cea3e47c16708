import { describe, expect, it } from 'vitest';
import { errorCodesByStatus } from '../../functions/error-codes.js';
import { codesFor, withErrorCodes } from '../../functions/openapi-errors.js';
import { withResponseHeaders } from '../../functions/openapi-headers.js';
import { withInputSchemas } from '../../functions/openapi-inputs.js';
import { OPTIONAL_BEARER, withOptionalBearer } from '../../functions/openapi-security.js';

/** The post-processing steps of /openapi.json (functions/openapi-document.ts), each on a small document. */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

function sample(): any {
  return {
    openapi: '3.1.0',
    paths: {
      '/things': {
        post: {
          requestBody: json(ref('CreateThing')),
          responses: { 201: { description: 'made', ...json(ref('Thing')) } },
        },
        get: { responses: { 200: { description: 'list', ...json({ type: 'array', items: ref('Thing') }) } } },
      },
    },
    components: {
      schemas: {
        // Sent and answered: a default on `tags`, and a property that is itself called `default`.
        Item: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' }, default: [] },
            default: { type: 'boolean' },
          },
          required: ['name'],
        },
        CreateThing: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            mode: { type: 'string', enum: ['a', 'b'], default: 'a', description: 'how' },
            size: { type: 'integer', default: 1, description: 'default 1 when absent' },
            items: { type: 'array', items: ref('Item') },
          },
          required: ['title'],
        },
        Thing: {
          type: 'object',
          properties: { id: { type: 'string' }, items: { type: 'array', items: ref('Item') }, colour: { type: 'string', default: 'red' } },
          required: ['id'],
        },
        Unused: { type: 'object', properties: { x: { type: 'string', default: 'y' } } },
      },
    },
  };
}

describe('withInputSchemas', () => {
  const source = sample();
  const doc = withInputSchemas(source);
  const s = doc.components.schemas;

  it('a schema used by requests only loses its defaults (optional, said in its description) and refers to input twins', () => {
    expect(s.CreateThing.properties.mode).toEqual({ type: 'string', enum: ['a', 'b'], description: 'how. Default: "a".' });
    expect(s.CreateThing.properties.size).toEqual({ type: 'integer', description: 'default 1 when absent' });
    expect(s.CreateThing.required).toEqual(['title']);
    expect(s.CreateThing.properties.items.items).toEqual(ref('ItemInput'));
    expect(JSON.stringify(s.CreateThing)).not.toContain('"default"');
  });

  it('a schema used by both sides whose forms differ gets an input twin; the answered form lists its defaulted fields as present', () => {
    expect(s.ItemInput.properties.tags).toEqual({ type: 'array', items: { type: 'string' }, description: 'Default: [].' });
    expect(s.ItemInput.properties.default).toEqual({ type: 'boolean' });
    expect(s.ItemInput.required).toEqual(['name']);
    expect(s.Item.properties.tags.default).toEqual([]);
    expect(s.Item.required).toEqual(['name', 'tags']);
    expect(s.Thing.required).toEqual(['id', 'colour']);
    expect(s.Thing.properties.items.items).toEqual(ref('Item'));
  });

  it('leaves what no operation uses, and the document it was given, as they were', () => {
    expect(s.Unused).toEqual(sample().components.schemas.Unused);
    expect(source).toEqual(sample());
  });

  it('refuses to overwrite a schema that already has a twin’s name', () => {
    const clash = sample();
    clash.components.schemas.ItemInput = { type: 'string' };
    expect(() => withInputSchemas(clash)).toThrow(/ItemInput/);
  });
});

describe('withOptionalBearer', () => {
  it('public operations get the optional bearer and its 401; declared security is kept', () => {
    const doc: any = {
      paths: {
        '/a': { get: { responses: { 200: { description: 'ok' } } } },
        '/b': { get: { security: [{ bearerAuth: [] }], responses: {} }, post: { security: [], responses: {} } },
      },
    };
    withOptionalBearer(doc);
    expect(doc.paths['/a'].get.security).toEqual(OPTIONAL_BEARER);
    expect(doc.paths['/a'].get.responses[401].content['application/json'].schema).toEqual(ref('Error'));
    expect(doc.paths['/b'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/b'].post).toEqual({ security: [], responses: {} });
  });
});

describe('withErrorCodes', () => {
  const catalog = new Map([
    [400, ['AMOUNT_TOO_LARGE', 'VALIDATION_FAILED']],
    [409, ['CONFLICT', 'INVALID_STATE', 'SOLD_OUT']],
  ]);

  it('names the codes of a status a description mentions, plus those every route of the status may answer', () => {
    expect(codesFor(409, 'INVALID_STATE: not open. CONFLICT: retry', catalog)).toEqual(['CONFLICT', 'INVALID_STATE']);
    expect(codesFor(400, 'UPLOAD_INVALID or JSON trouble', catalog)).toEqual(['VALIDATION_FAILED']);
    expect(codesFor(409, 'something went wrong', catalog)).toEqual(['CONFLICT', 'INVALID_STATE', 'SOLD_OUT']);
  });

  it('each error body becomes a component whose code is an enum; the generic one goes once unused', () => {
    const doc: any = {
      paths: {
        '/a': {
          post: {
            responses: {
              200: { description: 'ok', ...json(ref('Error')) },
              400: { description: 'VALIDATION_FAILED: bad body', ...json(ref('Error')) },
              409: { description: 'SOLD_OUT or CONFLICT', ...json(ref('Error')) },
            },
          },
          get: { responses: { 409: { description: 'any', ...json(ref('Error')) } } },
        },
      },
      components: { schemas: { Error: { type: 'object' } } },
    };
    withErrorCodes(doc, catalog);
    const r = doc.paths['/a'].post.responses;
    expect(r[200].content['application/json'].schema).toEqual(ref('Error')); // not an error status
    expect(r[400].content['application/json'].schema).toEqual(ref('Error400ValidationFailed'));
    expect(r[409].content['application/json'].schema).toEqual(ref('Error409ConflictSoldOut'));
    expect(doc.paths['/a'].get.responses[409].content['application/json'].schema).toEqual(ref('Error409'));
    expect(doc.components.schemas.Error409ConflictSoldOut.properties.error.properties.code.enum).toEqual(['CONFLICT', 'SOLD_OUT']);
    expect(doc.components.schemas.Error409.properties.error.required).toEqual(['code', 'message']);
    expect(doc.components.schemas.Error).toBeDefined(); // still named by the 200
  });

  it('reads the codes from the error classes themselves', () => {
    const codes = errorCodesByStatus();
    expect(codes.get(409)).toEqual(expect.arrayContaining(['SOLD_OUT', 'ALREADY_JOINED', 'CONFLICT', 'TOO_MANY_EXPIRED_HOLDS']));
    expect(codes.get(422)).toEqual(expect.arrayContaining(['CONTENT_REJECTED', 'IDEMPOTENCY_KEY_REUSED']));
    expect(codes.get(401)).toEqual(expect.arrayContaining(['UNAUTHORIZED', 'WECHAT_CODE_INVALID']));
    expect(codes.get(502)).toEqual(expect.arrayContaining(['PAYMENT_PROVIDER_ERROR', 'WECHAT_MISCONFIGURED']));
    expect(codes.get(415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(codes.get(500)).toEqual(['INTERNAL']);
  });
});

describe('withResponseHeaders', () => {
  it('declares the middleware’s headers where they are sent, never replacing a route’s own', () => {
    const doc: any = {
      paths: {
        '/join': {
          post: {
            parameters: [{ name: 'idempotency-key', in: 'header' }],
            responses: { 201: { description: 'made' }, 429: { description: 'slow down' }, 503: { description: 'busy' } },
          },
        },
        '/read': {
          get: {
            responses: {
              200: { description: 'it', headers: { ETag: { schema: { type: 'string' }, required: true } } },
              304: { description: 'same' },
            },
          },
        },
      },
    };
    withResponseHeaders(doc);
    const join = doc.paths['/join'].post.responses;
    for (const status of [201, 429, 503]) expect(join[status].headers['X-Request-Id']).toEqual({ $ref: '#/components/headers/RequestId' });
    expect(join[201].headers['Idempotent-Replayed']).toMatchObject({ required: false, schema: { enum: ['true'] } });
    expect(join[429].headers['Retry-After']).toMatchObject({ required: false });
    expect(join[503].headers['Retry-After']).toMatchObject({ required: false });
    expect(join[429].headers['Idempotent-Replayed']).toBeUndefined();
    const read = doc.paths['/read'].get;
    expect(read.responses[200].headers.ETag).toEqual({ schema: { type: 'string' }, required: true });
    expect(Object.keys(read.responses[304].headers)).toEqual(['X-Request-Id', 'ETag', 'Cache-Control']);
    expect(read.parameters).toEqual([expect.objectContaining({ name: 'If-None-Match', in: 'header', required: false })]);
    expect(Object.keys(doc.components.headers)).toEqual(['CacheControl', 'ETag', 'RequestId']);
  });
});
