/**
 * Typed domain errors. Each carries the HTTP status and the contract's error code; `app.onError`
 * turns them into `{"error": {code, message, details}}` in one place.
 */
export type ErrorDetails = Record<string, unknown>;

export abstract class AppError extends Error {
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503;
  abstract readonly code: string;
  /** When retrying makes sense again (rate limits, WeChat's code quota): answered as Retry-After. */
  readonly retryAfterSeconds?: number;
  constructor(
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'VALIDATION_FAILED';
}

/** A money amount past what the API (safe integers) or WeChat Pay (one order) can take; `details.amount`, `details.limit`. */
export class AmountTooLargeError extends AppError {
  readonly status = 400;
  readonly code = 'AMOUNT_TOO_LARGE';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'UNAUTHORIZED';
  constructor(message = 'A valid bearer token is required') {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
}

export class CampaignNotOpenError extends AppError {
  readonly status = 409;
  readonly code = 'CAMPAIGN_NOT_OPEN';
}

export class SoldOutError extends AppError {
  readonly status = 409;
  readonly code = 'SOLD_OUT';
  constructor(itemId: string, remaining: number, requested: number) {
    super(`Not enough stock for item ${itemId}: ${remaining} left, ${requested} requested`, {
      itemId,
      remaining,
      requested,
    });
  }
}

export class LimitExceededError extends AppError {
  readonly status = 409;
  readonly code = 'LIMIT_EXCEEDED';
  constructor(itemId: string, limit: number, requested: number) {
    super(`At most ${limit} of item ${itemId} per person`, { itemId, limit, requested });
  }
}

export class AlreadyJoinedError extends AppError {
  readonly status = 409;
  readonly code = 'ALREADY_JOINED';
  /** `limit`: a household campaign's maxEntriesPerUser, all of them held (details add it; 1 keeps the classic answer) */
  constructor(
    readonly entryId: string,
    limit = 1,
  ) {
    super(
      limit > 1
        ? `You already have ${limit} active entries in this campaign, the most one member may hold; change one with PATCH or cancel one`
        : 'You already have an active entry in this campaign; change it with PATCH',
      limit > 1 ? { entryId, limit } : { entryId },
    );
  }
}

/** The leader or a helper blocked this member from the campaign (POST /campaigns/{id}/blocks). */
export class BlockedError extends AppError {
  readonly status = 403;
  readonly code = 'BLOCKED';
  constructor() {
    super('The organisers of this campaign have blocked you from joining it');
  }
}

/** The staff of a community blocked this person from it (code BLOCKED, as a campaign's block). */
export class CommunityBlockedError extends AppError {
  readonly status = 403;
  readonly code = 'BLOCKED';
  constructor() {
    super('The staff of this community have blocked you from it');
  }
}

/** A community that takes members by invitation, joined without (or with a stale) invite code. */
export class InviteRequiredError extends AppError {
  readonly status = 403;
  readonly code = 'INVITE_REQUIRED';
}

/** Stock squatting: the member let `limit` payment holds in this campaign expire unpaid. */
export class TooManyExpiredHoldsError extends AppError {
  readonly status = 409;
  readonly code = 'TOO_MANY_EXPIRED_HOLDS';
  constructor(expiredHolds: number, limit: number) {
    super(`You let ${expiredHolds} joins of this campaign expire unpaid; you cannot join it again`, { expiredHolds, limit });
  }
}

export class InvalidStateError extends AppError {
  readonly status = 409;
  readonly code = 'INVALID_STATE';
}

/** Another request changed the same record first; safe to retry. */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'CONFLICT';
}

export class IdempotencyKeyReusedError extends AppError {
  readonly status = 422;
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('This Idempotency-Key was already used with a different request body');
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** Too many requests of one kind from one user (per-user rate limits); retry after `retryAfterSeconds`. */
export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code = 'RATE_LIMITED';
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
    details?: ErrorDetails,
  ) {
    super(message, { retryAfterSeconds, ...details });
  }
}

/** A dependency of the request is not available here (e.g. WeChat Pay is not configured). */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'SERVICE_UNAVAILABLE';
}

/** A subscribe-message template id this deployment does not send (not in WECHAT_SUBSCRIBE_TEMPLATES); `details.templateIds`. */
export class UnknownTemplateError extends AppError {
  readonly status = 422;
  readonly code = 'UNKNOWN_TEMPLATE';
}

/** An upload to attach is missing (never uploaded, or expired), too big or wide, or not the image it claims to be. */
export class UploadInvalidError extends AppError {
  readonly status = 400;
  readonly code = 'UPLOAD_INVALID';
}

/** A points spend or reservation above the member's balance (or points spending is off); `details.balance`, `details.requested`. */
export class InsufficientPointsError extends AppError {
  readonly status = 409;
  readonly code = 'INSUFFICIENT_POINTS';
}

/** A member answering a survey they answered before (each member answers once). */
export class AlreadyAnsweredError extends AppError {
  readonly status = 409;
  readonly code = 'ALREADY_ANSWERED';
}
