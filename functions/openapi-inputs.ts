/**
 * Request bodies as clients send them, responses as the server answers. zod-to-openapi writes one
 * schema per zod schema, with `.default()` as a `default` keyword and the field left out of
 * `required`. Generators read that keyword as "always present" (openapi-typescript with its default
 * settings types a component's defaulted field as required), so a minimal create body would not
 * type-check. In this document:
 *   - the input side (what requestBodies reach) has no `default` keywords: the field is optional, and
 *     the default is said in its description;
 *   - the output side (what responses reach) lists defaulted fields in `required`: the server always
 *     fills them in;
 *   - a component reached from both sides whose forms differ gets an input twin `<Name>Input`, which
 *     the input side refers to instead.
 */

type Json = Record<string, unknown>;
type Doc = { paths?: object; webhooks?: object; components?: { schemas?: Record<string, unknown> } };

const SCHEMA_REF = '#/components/schemas/';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keywords whose value is data (copied as is), and those whose value maps names to schemas (a property may be called `default`). */
const DATA = new Set(['example', 'examples', 'enum', 'const']);
const NAMED = new Set(['properties', 'patternProperties', '$defs', 'headers', 'content', 'responses']);
const mapValues = (node: Json, f: (v: unknown) => unknown): Json => Object.fromEntries(Object.entries(node).map(([k, v]) => [k, f(v)]));

/** The component names a node refers to (directly, not through the components themselves). */
function refsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) refsIn(n, out);
  else if (isObject(node)) {
    if (typeof node.$ref === 'string' && node.$ref.startsWith(SCHEMA_REF)) out.add(node.$ref.slice(SCHEMA_REF.length));
    for (const v of Object.values(node)) refsIn(v, out);
  }
  return out;
}

function closure(roots: Set<string>, schemas: Record<string, unknown>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || !(name in schemas)) continue;
    seen.add(name);
    for (const r of refsIn(schemas[name])) stack.push(r);
  }
  return seen;
}

/** `default` anywhere inside a schema, outside examples and the like (they are data, not schemas). */
function hasDefault(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasDefault);
  if (!isObject(node)) return false;
  if ('default' in node) return true;
  return Object.entries(node).some(([k, v]) =>
    DATA.has(k) ? false : NAMED.has(k) && isObject(v) ? Object.values(v).some(hasDefault) : hasDefault(v),
  );
}

/** The operations of the document, paths and webhooks alike (a webhook's body is something we send). */
function operations(doc: Doc): Array<{ op: Json; webhook: boolean }> {
  const out: Array<{ op: Json; webhook: boolean }> = [];
  for (const [group, webhook] of [
    [doc.paths, false],
    [doc.webhooks, true],
  ] as const) {
    for (const item of Object.values(group ?? {})) {
      if (!isObject(item)) continue;
      for (const [method, op] of Object.entries(item)) if (METHODS.has(method) && isObject(op)) out.push({ op, webhook });
    }
  }
  return out;
}

/** A schema as clients send it: no defaults (said in the description instead), twins referred to. */
function inputForm(node: unknown, twins: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => inputForm(n, twins));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'default') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)) {
      const twin = twins.get(v.slice(SCHEMA_REF.length));
      out[k] = twin ? SCHEMA_REF + twin : v;
    } else if (DATA.has(k)) out[k] = v;
    else if (NAMED.has(k) && isObject(v)) out[k] = mapValues(v, (s) => inputForm(s, twins));
    else out[k] = inputForm(v, twins);
  }
  if ('default' in node) {
    const said = `Default: ${JSON.stringify(node.default)}.`;
    const description = typeof node.description === 'string' ? node.description : '';
    // Many descriptions already say their default in words ("default 1", "`offline` (default)").
    if (!/default/i.test(description)) out.description = description ? `${description}. ${said}` : said;
  }
  return out;
}

/** A schema as the server answers: every defaulted property is present. */
function outputForm(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(outputForm);
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node))
    out[k] = DATA.has(k) ? v : NAMED.has(k) && isObject(v) ? mapValues(v, outputForm) : outputForm(v);
  if (isObject(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    const before = required.size;
    for (const [name, prop] of Object.entries(node.properties)) if (isObject(prop) && 'default' in prop) required.add(name);
    if (required.size !== before) out.required = [...required];
  }
  return out;
}

/** The document with input and output schemas kept apart (a new object; the argument is not changed). */
export function withInputSchemas<T extends Doc>(source: T): T {
  const doc = structuredClone(source);
  const schemas = doc.components?.schemas ?? {};
  const inputRoots = new Set<string>();
  const outputRoots = new Set<string>();
  for (const { op, webhook } of operations(doc)) {
    refsIn(op.requestBody, webhook ? outputRoots : inputRoots);
    refsIn(op.responses, webhook ? inputRoots : outputRoots);
  }
  const inputs = closure(inputRoots, schemas);
  const outputs = closure(outputRoots, schemas);
  const differs = (name: string) => [...closure(new Set([name]), schemas)].some((n) => hasDefault(schemas[n]));

  const twins = new Map<string, string>();
  for (const name of inputs) {
    if (!outputs.has(name) || !differs(name)) continue;
    const twin = `${name}Input`;
    if (twin in schemas) throw new Error(`OpenAPI: cannot add the input twin ${twin} of ${name}: a schema has that name`);
    twins.set(name, twin);
  }
  const rewritten: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    if (twins.has(name)) {
      rewritten[name] = outputForm(schema);
      rewritten[twins.get(name)!] = inputForm(schema, twins);
    } else if (inputs.has(name) && !outputs.has(name)) rewritten[name] = inputForm(schema, twins);
    else if (outputs.has(name)) rewritten[name] = outputForm(schema);
    else rewritten[name] = schema;
  }
  if (doc.components) doc.components.schemas = rewritten;

  // Inline schemas of the operations themselves, by side.
  for (const { op, webhook } of operations(doc)) {
    if (op.requestBody !== undefined) op.requestBody = webhook ? outputForm(op.requestBody) : inputForm(op.requestBody, twins);
    if (op.responses !== undefined) op.responses = webhook ? inputForm(op.responses, twins) : outputForm(op.responses);
  }
  return doc;
}
