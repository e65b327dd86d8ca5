/**
 * Splitting requests by the server's OperationLimits (Part 5 §6.3.11): MaxNodesPerRead, MaxMonitoredItemsPerCall,
 * MaxNodesPerBrowse. A limit of 0 means "no limit" on the wire; we still cap requests so a single message stays
 * well under typical transport limits (BadTcpMessageTooLarge, Telegraf #14568).
 */

/** Our own cap when the server states no limit. */
export const DEFAULT_MAX_PER_CALL = 1000;

export interface OperationLimits {
  maxNodesPerRead: number;
  maxMonitoredItemsPerCall: number;
  maxNodesPerBrowse: number;
}

export const UNKNOWN_LIMITS: OperationLimits = {
  maxNodesPerRead: 0,
  maxMonitoredItemsPerCall: 0,
  maxNodesPerBrowse: 0,
};

/** The effective batch size for a server limit (0 or missing = unlimited). */
export function effectiveLimit(serverLimit: number | undefined, cap = DEFAULT_MAX_PER_CALL): number {
  if (serverLimit === undefined || !Number.isFinite(serverLimit) || serverLimit <= 0) return cap;
  return Math.min(Math.floor(serverLimit), cap);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be ≥ 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
