import { ValidationError } from '../shared/errors.js';

/**
 * A new campaign's times (create and clone): closesAt in the future and after opensAt, and a
 * payment mode this deployment can take (`refused`: Money's reason, or null). One 400 naming every problem.
 */
export function checkNewCampaignTimes(now: Date, opensAt: Date, closesAt: Date, refused: string | null): void {
  const fields: Array<{ path: string; message: string }> = [];
  if (closesAt.getTime() <= now.getTime()) fields.push({ path: 'body.closesAt', message: 'must be in the future' });
  if (closesAt.getTime() <= opensAt.getTime()) fields.push({ path: 'body.closesAt', message: 'must be after opensAt' });
  if (refused) fields.push({ path: 'body.paymentMode', message: refused });
  if (fields.length > 0) throw new ValidationError('Invalid campaign times', { fields });
}
