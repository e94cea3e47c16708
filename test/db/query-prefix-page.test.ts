import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { queryPrefixPage } from '../../shared/table/query.js';
import { type Harness, harness } from '../helpers/harness.js';

/** queryPrefixPage: the one page-of-a-range read behind the newest-first lists (surveys, text answers, staff actions, links). */
let h: Harness;
const pk = 'TESTPAGE#1';

beforeAll(async () => {
  h = await harness();
  const put = (sk: string) => h.db.doc.send(new PutCommand({ TableName: h.db.tableName, Item: { pk, sk, type: 'test' } }));
  for (let i = 1; i <= 5; i++) await put(`A#00${i}`);
  await put('B#001'); // outside the range
  await put('#META');
});

async function all(newestFirst?: boolean) {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await queryPrefixPage(h.db, { pk, prefix: 'A#', limit: 2, cursor, ...(newestFirst === undefined ? {} : { newestFirst }) });
    expect(page.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.items.map((i) => i.sk as string));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('queryPrefixPage', () => {
  it('pages the range newest first by default, and oldest first when asked', async () => {
    expect(await all()).toEqual(['A#005', 'A#004', 'A#003', 'A#002', 'A#001']);
    expect(await all(false)).toEqual(['A#001', 'A#002', 'A#003', 'A#004', 'A#005']);
  });

  it('refuses a cursor of another range or partition before DynamoDB sees it', async () => {
    const other = await queryPrefixPage(h.db, { pk, prefix: 'B#', limit: 1 });
    expect(other.items.map((i) => i.sk)).toEqual(['B#001']);
    const elsewhere = Buffer.from(JSON.stringify({ pk, sk: 'B#001' })).toString('base64url');
    await expect(queryPrefixPage(h.db, { pk, prefix: 'A#', limit: 2, cursor: elsewhere })).rejects.toBeInstanceOf(ValidationError);
    const otherPk = Buffer.from(JSON.stringify({ pk: 'TESTPAGE#2', sk: 'A#001' })).toString('base64url');
    await expect(queryPrefixPage(h.db, { pk, prefix: 'A#', limit: 2, cursor: otherPk })).rejects.toBeInstanceOf(ValidationError);
  });
});
