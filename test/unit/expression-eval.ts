/**
 * A tiny, deliberately strict interpreter of the subset of DynamoDB expression syntax that
 * shared/entries/commands.ts emits, so the builders' conditions and updates can be checked by what
 * they *do* to an item, not only by how their strings look. No database is involved.
 *
 * Conditions: OR / AND / NOT, parentheses, attribute_exists(path), attribute_not_exists(path),
 * comparisons = <> < <= > >= between paths and :values.
 * Updates: `SET path = operand [(+|-) operand], ...`.
 *
 * Like DynamoDB, it throws when an expression uses a #name or :value that is not defined, when
 * a defined #name or :value is never used, when arithmetic touches a missing attribute, and when
 * a nested path's parent map does not exist.
 */
export type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

const TOKEN = /\s*(<>|<=|>=|=|<|>|\(|\)|,|\+|-|[#:]?[A-Za-z_][A-Za-z0-9_]*(?:\.#?[A-Za-z_][A-Za-z0-9_]*)*)/y;

function tokenize(expr: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(expr);
    if (!m) throw new Error(`cannot tokenize at ${pos}: ${expr.slice(pos)}`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** Every #name and :value an expression mentions. */
export function placeholders(...exprs: Array<string | undefined>): { names: Set<string>; values: Set<string> } {
  const names = new Set<string>();
  const values = new Set<string>();
  for (const e of exprs) {
    if (!e) continue;
    for (const m of e.matchAll(/#[A-Za-z0-9_]+/g)) names.add(m[0]);
    for (const m of e.matchAll(/:[A-Za-z0-9_]+/g)) values.add(m[0]);
  }
  return { names, values };
}

/** DynamoDB rejects a request whose names/values maps hold an unused entry or lack a used one. */
export function assertPlaceholdersConsistent(input: {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
}): void {
  const used = placeholders(input.UpdateExpression, input.ConditionExpression);
  const definedNames = new Set(Object.keys(input.ExpressionAttributeNames ?? {}));
  const definedValues = new Set(Object.keys(input.ExpressionAttributeValues ?? {}));
  const fmt = (s: Set<string>) => [...s].sort().join(',');
  if (fmt(used.names) !== fmt(definedNames)) throw new Error(`names used {${fmt(used.names)}} but defined {${fmt(definedNames)}}`);
  if (fmt(used.values) !== fmt(definedValues)) throw new Error(`values used {${fmt(used.values)}} but defined {${fmt(definedValues)}}`);
}

function resolvePath(token: string, names: Names): string[] {
  return token.split('.').map((part) => {
    if (!part.startsWith('#')) return part;
    const name = names?.[part];
    if (name === undefined) throw new Error(`undefined attribute name ${part}`);
    return name;
  });
}

const MISSING = Symbol('missing');

function readPath(item: Item | undefined, path: string[]): unknown {
  let cur: unknown = item;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !(p in (cur as Item))) return MISSING;
    cur = (cur as Item)[p];
  }
  return cur;
}

function operandValue(token: string, names: Names, values: Values, item: Item | undefined): unknown {
  if (token.startsWith(':')) {
    if (!values || !(token in values)) throw new Error(`undefined attribute value ${token}`);
    return values[token];
  }
  return readPath(item, resolvePath(token, names));
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a === MISSING || b === MISSING) return false;
  const sameType = typeof a === typeof b && (typeof a === 'number' || typeof a === 'string');
  switch (op) {
    case '=':
      return sameType ? a === b : JSON.stringify(a) === JSON.stringify(b);
    case '<>':
      return sameType ? a !== b : JSON.stringify(a) !== JSON.stringify(b);
    default: {
      if (!sameType) return false;
      const x = a as number | string;
      const y = b as number | string;
      if (op === '<') return x < y;
      if (op === '<=') return x <= y;
      if (op === '>') return x > y;
      if (op === '>=') return x >= y;
      throw new Error(`unknown comparator ${op}`);
    }
  }
}

const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** Evaluates a condition expression against `item` (undefined: no such item). */
export function evalCondition(expr: string, names: Names, values: Values, item: Item | undefined): boolean {
  const tokens = tokenize(expr);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (t === undefined || (expected !== undefined && t !== expected))
      throw new Error(`expected ${expected ?? 'a token'} at ${i - 1} in ${expr}`);
    return t;
  };
  const parseOr = (): boolean => {
    let v = parseAnd();
    while (peek() === 'OR') {
      take();
      const r = parseAnd();
      v = v || r;
    }
    return v;
  };
  const parseAnd = (): boolean => {
    let v = parseNot();
    while (peek() === 'AND') {
      take();
      const r = parseNot();
      v = v && r;
    }
    return v;
  };
  const parseNot = (): boolean => {
    if (peek() === 'NOT') {
      take();
      return !parseNot();
    }
    return parsePrimary();
  };
  const parsePrimary = (): boolean => {
    const t = take();
    if (t === '(') {
      const v = parseOr();
      take(')');
      return v;
    }
    if (t === 'attribute_exists' || t === 'attribute_not_exists') {
      take('(');
      const path = resolvePath(take(), names);
      take(')');
      const exists = readPath(item, path) !== MISSING;
      return t === 'attribute_exists' ? exists : !exists;
    }
    const op = take();
    if (!COMPARATORS.has(op)) throw new Error(`expected a comparator after ${t}, got ${op}`);
    const right = take();
    return compare(op, operandValue(t, names, values, item), operandValue(right, names, values, item));
  };
  const result = parseOr();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${expr}: ${tokens.slice(i).join(' ')}`);
  return result;
}

/** Applies a `SET ...` update expression to a deep copy of `item` and returns the copy. */
export function applySet(expr: string, names: Names, values: Values, item: Item): Item {
  const out = structuredClone(item);
  const tokens = tokenize(expr);
  if (tokens[0] !== 'SET') throw new Error(`only SET updates are supported: ${expr}`);
  let i = 1;
  const assignments: Array<{ path: string[]; value: unknown }> = [];
  while (i < tokens.length) {
    const target = resolvePath(tokens[i++]!, names);
    if (tokens[i++] !== '=') throw new Error(`expected = in ${expr}`);
    let value = operandValue(tokens[i++]!, names, values, item);
    const op = tokens[i];
    if (op === '+' || op === '-') {
      i++;
      const right = operandValue(tokens[i++]!, names, values, item);
      if (typeof value !== 'number' || typeof right !== 'number') {
        throw new Error(`arithmetic on a missing or non-number attribute in ${expr}`);
      }
      value = op === '+' ? value + right : value - right;
    }
    if (value === MISSING) throw new Error(`SET from a missing attribute in ${expr}`);
    assignments.push({ path: target, value });
    if (i < tokens.length && tokens[i++] !== ',') throw new Error(`expected , in ${expr}`);
  }
  // DynamoDB evaluates every right-hand side against the old item, then writes.
  for (const { path, value } of assignments) {
    let cur: Item = out;
    for (const p of path.slice(0, -1)) {
      const next = cur[p];
      if (next === null || typeof next !== 'object') throw new Error(`document path ${path.join('.')} is invalid for update`);
      cur = next as Item;
    }
    cur[path[path.length - 1]!] = value;
  }
  return out;
}
