/**
 * Ledger keys chosen by the planner (`OutgoingPlan.ledgerKey`): a UUID, as event ids are, derived
 * from what should be sent once whichever event asks for it, so the delivery ledger, which writes
 * a key's deliveries once, keeps the bound. Pure.
 */
import { createHash } from 'node:crypto';

/** The UUID-shaped key of `name` (the same name, the same key). */
export function ledgerKeyOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}
