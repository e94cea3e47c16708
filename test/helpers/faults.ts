import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * DynamoDB failures on demand, injected as SDK middleware *below* the SDK's retry layer, so each
 * attempt meets them like a real network or service fault:
 *  - `error`:     the request never reaches DynamoDB; a retryable 500 comes back
 *  - `lost`:      the request is applied, then the response is lost (a retryable timeout)
 *  - `conflict`:  TransactionCanceledException with reason TransactionConflict (what real DynamoDB
 *                 does to concurrent transactions on one item; DynamoDB Local never does)
 */
export type FaultKind = 'error' | 'lost' | 'conflict';

interface Rule {
  command: string;
  kind: FaultKind;
  times: number;
  when?: (input: Record<string, any>) => boolean;
}

interface Hook {
  command: string;
  when: (input: Record<string, any>) => boolean;
  run: () => Promise<unknown>;
}

export class FaultInjector {
  private rules: Rule[] = [];
  private hooks: Hook[] = [];
  readonly injected: Array<{ command: string; kind: FaultKind }> = [];

  /** Fail the next `times` calls of `command` (e.g. 'UpdateItemCommand') that match `when`. */
  add(command: string, kind: FaultKind, times = 1, when?: Rule['when']): this {
    this.rules.push({ command, kind, times, ...(when ? { when } : {}) });
    return this;
  }

  /**
   * Run `run` once, just before the next call of `command` matching `when` is sent (which then
   * goes through): a concurrent writer landing between a reader's read and its commit.
   */
  before(command: string, when: Hook['when'], run: Hook['run']): this {
    this.hooks.push({ command, when, run });
    return this;
  }

  clear(): void {
    this.rules = [];
    this.hooks = [];
  }

  install(doc: DynamoDBDocumentClient): void {
    doc.middlewareStack.addRelativeTo(
      (next: any, context: any) => async (args: any) => {
        const hook = this.hooks.findIndex((k) => k.command === context.commandName && k.when(args.input));
        if (hook >= 0) await this.hooks.splice(hook, 1)[0]!.run();
        const rule = this.rules.find((r) => r.times > 0 && r.command === context.commandName && (!r.when || r.when(args.input)));
        if (!rule) return next(args);
        rule.times--;
        this.injected.push({ command: rule.command, kind: rule.kind });
        if (rule.kind === 'error') throw serviceError();
        if (rule.kind === 'conflict') throw conflictError(args.input);
        await next(args);
        throw lostResponse();
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'faultInjector' },
    );
  }
}

function serviceError() {
  return Object.assign(new Error('injected: internal server error'), {
    name: 'InternalServerError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

function lostResponse() {
  return Object.assign(new Error('injected: socket timed out after the request was sent'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    $metadata: {},
  });
}

function conflictError(input: { TransactItems?: unknown[] }) {
  const reasons = (input.TransactItems ?? []).map((_, i) =>
    i === 0 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
  );
  return Object.assign(new Error('injected: transaction cancelled, conflict'), {
    name: 'TransactionCanceledException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: reasons,
  });
}
