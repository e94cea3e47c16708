const cap = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * A stable operationId (what generated clients name their functions by) from the method and the
 * path: `POST /campaigns/{id}/entries` → `postCampaignsByIdEntries`, `GET …/settlement.csv` →
 * `getCampaignsByIdSettlementCsv`. Derived rather than written per route, so a new route cannot
 * lack one and no two can collide (a method and path name one route); it changes only if the path does.
 */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) =>
      segment.startsWith('{')
        ? `By${cap(segment.slice(1, -1))}`
        : segment
            .split(/[^A-Za-z0-9]+/)
            .filter(Boolean)
            .map(cap)
            .join(''),
    );
  return `${method.toLowerCase()}${words.join('')}`;
}

/** Paths of an OpenAPI document, as far as operationIds go. */
type Paths = Record<string, Record<string, { operationId?: string } | unknown>>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The document with every operation given its operationId (one set by a route itself is kept). */
export function withOperationIds<T extends { paths?: object | undefined }>(doc: T): T {
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method) || typeof op !== 'object' || op === null) continue;
      const operation = op as { operationId?: string };
      operation.operationId ??= operationIdFor(method, path);
    }
  }
  return doc;
}
