import type { CampaignDefinition, CampaignState, SettlementSummary } from '../domain/index.js';
import type { StateRecord } from '../table/index.js';

/** A campaign as read: its definition, live counters and (once settled) the settlement summary. */
export interface CampaignSnapshot {
  def: CampaignDefinition;
  state: CampaignState;
  /** raw counters, for writers that need `remaining` */
  stateRecord: StateRecord;
  settlement: SettlementSummary | null;
  /** bumped by every edit of the definition (edit.ts); absent before the first edit */
  defVersion?: number;
}
