/**
 * The S7 request planner: merges the points of one poll group into as few S7ANY items as their addresses allow
 * (same area and DB, holes up to `maxGap` bytes), then packs the items into read requests that fit the negotiated
 * PDU, both ways: a request is 12 bytes + 12 per item, its answer 14 bytes + 4 per item + the data (odd lengths
 * padded). The Modbus planner's greedy merge, sorted by address, with the PDU as the limit. Pure.
 */
import { formatS7Address, type S7Area } from './address.js';
import type { ResolvedS7Point, S7PointSpec } from './point.js';

/** Request header (10) + function and item count (2); each S7ANY item adds 12. */
export const REQUEST_OVERHEAD = 12;
export const REQUEST_ITEM_BYTES = 12;
/** Answer header (12) + function and item count (2); each item adds 4 (return code, transport, length) + its data. */
export const RESPONSE_OVERHEAD = 14;
export const RESPONSE_ITEM_BYTES = 4;
/** The most data one item carries alone: what nodes7's own readArea assumes (PDU − 18). */
export function maxItemBytes(pduSize: number): number {
  return pduSize - RESPONSE_OVERHEAD - RESPONSE_ITEM_BYTES;
}
export const DEFAULT_MAX_GAP_BYTES = 16;
/** S7-300/400 take at most 20 items per read request whatever the PDU (S7-1200/1500 the same in practice). */
export const MAX_ITEMS_PER_REQUEST = 20;

export interface PlanLimits {
  pduSize: number;
  maxGap?: number;
  maxItemsPerRequest?: number;
}

/** How an item is read: bytes, or timers/counters (2 bytes each, their own S7ANY transport). */
export type ItemTransport = 'byte' | 'timer' | 'counter';

export interface PlannedItem<P extends S7PointSpec = S7PointSpec> {
  area: S7Area;
  db?: number;
  transport: ItemTransport;
  /** first byte (or timer/counter number) */
  start: number;
  /** bytes, or timers/counters */
  length: number;
  points: { resolved: ResolvedS7Point<P>; offset: number }[];
}

export interface PlannedRequest<P extends S7PointSpec = S7PointSpec> {
  items: PlannedItem<P>[];
}

export interface Plan<P extends S7PointSpec = S7PointSpec> {
  requests: PlannedRequest<P>[];
  /** points larger than one item can carry at this PDU size: they cannot be read (S7_PDU_TOO_SMALL) */
  tooLarge: ResolvedS7Point<P>[];
}

const AREA_ORDER: readonly S7Area[] = ['DB', 'M', 'I', 'Q', 'T', 'C'];

function dataBytes(item: { transport: ItemTransport; length: number }): number {
  return item.transport === 'byte' ? item.length : item.length * 2;
}

/** Answer bytes one item takes: its header, its data, a fill byte after odd data. */
export function responseItemBytes(item: { transport: ItemTransport; length: number }): number {
  const n = dataBytes(item);
  return RESPONSE_ITEM_BYTES + n + (n % 2);
}

function areaKey(r: ResolvedS7Point): string {
  return `${r.address.area}:${r.address.db ?? 0}`;
}

/** Plans the reads of one poll group (points already resolved by resolveS7Point). */
export function planS7Requests<P extends S7PointSpec>(
  points: readonly ResolvedS7Point<P>[],
  limits: PlanLimits,
): Plan<P> {
  const maxData = maxItemBytes(limits.pduSize);
  const gap = Math.max(0, limits.maxGap ?? DEFAULT_MAX_GAP_BYTES);
  const maxItems = Math.max(1, limits.maxItemsPerRequest ?? MAX_ITEMS_PER_REQUEST);
  const tooLarge: ResolvedS7Point<P>[] = [];
  const items: PlannedItem<P>[] = [];
  const keys = [...new Set(points.map(areaKey))].sort(
    (a, b) =>
      AREA_ORDER.indexOf(a.split(':')[0] as S7Area) - AREA_ORDER.indexOf(b.split(':')[0] as S7Area) ||
      Number(a.split(':')[1]) - Number(b.split(':')[1]),
  );
  for (const key of keys) {
    const inArea = points
      .filter((p) => areaKey(p) === key)
      .sort((a, b) => a.address.start - b.address.start || b.width - a.width);
    let current: PlannedItem<P> | undefined;
    let end = 0;
    for (const r of inArea) {
      const { area, db, start } = r.address;
      const transport: ItemTransport = area === 'T' ? 'timer' : area === 'C' ? 'counter' : 'byte';
      const unit = transport === 'byte' ? 1 : 2;
      if (r.width * unit > maxData) {
        tooLarge.push(r);
        continue;
      }
      const pEnd = start + r.width;
      const fits =
        current !== undefined &&
        start - end <= gap / unit &&
        (Math.max(end, pEnd) - current.start) * unit <= maxData;
      if (current === undefined || !fits) {
        current = { area, transport, start, length: 0, points: [] };
        if (db !== undefined) current.db = db;
        items.push(current);
        end = start;
      }
      current.points.push({ resolved: r, offset: (start - current.start) * unit });
      end = Math.max(end, pEnd);
      current.length = end - current.start;
    }
  }
  // pack items into requests in order: both the request and its answer must fit the PDU
  const requests: PlannedRequest<P>[] = [];
  let req: PlannedRequest<P> | undefined;
  let reqBytes = 0;
  let resBytes = 0;
  for (const item of items) {
    const addReq = REQUEST_ITEM_BYTES;
    const addRes = responseItemBytes(item);
    const fits =
      req !== undefined &&
      req.items.length < maxItems &&
      reqBytes + addReq <= limits.pduSize &&
      resBytes + addRes <= limits.pduSize;
    if (req === undefined || !fits) {
      req = { items: [] };
      requests.push(req);
      reqBytes = REQUEST_OVERHEAD;
      resBytes = RESPONSE_OVERHEAD;
    }
    req.items.push(item);
    reqBytes += addReq;
    resBytes += addRes;
  }
  return { requests, tooLarge };
}

/** "DB1.DBB0+24", "MB0+2", "T0+3": an item as a user reads it in logs and failures. */
export function describeItem(item: PlannedItem): string {
  const first = formatS7Address({
    area: item.area,
    start: item.start,
    ...(item.db === undefined ? {} : { db: item.db }),
    ...(item.transport === 'byte' ? { size: 'B' as const } : {}),
  });
  return `${first}+${item.length}`;
}

/** "N requests, M items for K points (B bytes)", the line logged at start. */
export function describeS7Plan(plan: Plan): string {
  const items = plan.requests.flatMap((r) => r.items);
  const points = items.reduce((n, i) => n + i.points.length, 0);
  const bytes = items.reduce((n, i) => n + dataBytes(i), 0);
  const s = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${s(plan.requests.length, 'request')}, ${s(items.length, 'item')} for ${s(points, 'point')} (${bytes} bytes)${plan.tooLarge.length > 0 ? `; ${s(plan.tooLarge.length, 'point')} too large for the PDU` : ''}`;
}
