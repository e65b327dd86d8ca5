/**
 * The request planner: merges the points of one poll group into as few reads as the protocol allows
 * (125 registers, 2000 bits per read) within the device's `maxRegistersPerRequest`, `maxBitsPerRequest` and
 * `maxGap`. Sorting by address then merging greedily is optimal for this interval problem. Pure.
 */
import {
  checkPoint,
  isBitTable,
  type ModbusPointSpec,
  type ModbusTable,
  type PointProblem,
  pointWidth,
} from './point.js';

/** Protocol limits (Modbus Application Protocol V1.1b §6.1–6.4). */
export const MAX_REGISTERS_PER_READ = 125;
export const MAX_BITS_PER_READ = 2000;
export const DEFAULT_MAX_GAP = 10;

export interface PlanLimits {
  maxRegistersPerRequest?: number;
  maxBitsPerRequest?: number;
  /** largest hole (in registers) a read may span to join two points; bit tables allow 16× this in bits */
  maxGap?: number;
}

export interface PlannedPoint<P extends ModbusPointSpec = ModbusPointSpec> {
  point: P;
  /** register (or bit) offset of the point inside the read */
  offset: number;
}

export interface ReadRequest<P extends ModbusPointSpec = ModbusPointSpec> {
  table: ModbusTable;
  /** Modbus function code: 1 coils, 2 discrete inputs, 3 holding, 4 input registers */
  functionCode: 1 | 2 | 3 | 4;
  address: number;
  /** registers, or bits for coil/discrete */
  count: number;
  points: PlannedPoint<P>[];
}

export type PlanResult<P extends ModbusPointSpec = ModbusPointSpec> =
  | { ok: true; requests: ReadRequest<P>[] }
  | { ok: false; problems: PointProblem[] };

const FUNCTION_CODES: Record<ModbusTable, 1 | 2 | 3 | 4> = { coil: 1, discrete: 2, holding: 3, input: 4 };
/** Tables in the order their reads are issued. */
const TABLE_ORDER: readonly ModbusTable[] = ['holding', 'input', 'coil', 'discrete'];

function clampLimits(limits: PlanLimits): { regs: number; bits: number; gap: number } {
  const regs = Math.min(
    MAX_REGISTERS_PER_READ,
    Math.max(1, limits.maxRegistersPerRequest ?? MAX_REGISTERS_PER_READ),
  );
  const bits = Math.min(MAX_BITS_PER_READ, Math.max(1, limits.maxBitsPerRequest ?? MAX_BITS_PER_READ));
  const gap = Math.max(0, limits.maxGap ?? DEFAULT_MAX_GAP);
  return { regs, bits, gap };
}

/** Plans the reads of one poll group. Invalid points are reported all at once, before any plan. */
export function planRequests<P extends ModbusPointSpec>(
  points: readonly P[],
  limits: PlanLimits = {},
): PlanResult<P> {
  const { regs, bits, gap } = clampLimits(limits);
  const problems: PointProblem[] = [];
  const names = new Set<string>();
  for (const p of points) {
    problems.push(...checkPoint(p, regs));
    if (names.has(p.name))
      problems.push({ point: p.name, field: 'name', message: 'duplicate point name in this device' });
    names.add(p.name);
  }
  if (problems.length > 0) return { ok: false, problems };

  const requests: ReadRequest<P>[] = [];
  for (const table of TABLE_ORDER) {
    const inTable = points
      .filter((p) => p.table === table)
      .sort((a, b) => a.address - b.address || pointWidth(b) - pointWidth(a));
    const bitTable = isBitTable(table);
    const maxCount = bitTable ? bits : regs;
    const maxGap = bitTable ? gap * 16 : gap;
    let current: ReadRequest<P> | undefined;
    let end = 0;
    for (const p of inTable) {
      const pEnd = p.address + pointWidth(p);
      const fits =
        current !== undefined &&
        p.address - end <= maxGap &&
        Math.max(end, pEnd) - current.address <= maxCount;
      if (current === undefined || !fits) {
        current = { table, functionCode: FUNCTION_CODES[table], address: p.address, count: 0, points: [] };
        requests.push(current);
        end = p.address;
      }
      current.points.push({ point: p, offset: p.address - current.address });
      end = Math.max(end, pEnd);
      current.count = end - current.address;
    }
  }
  return { ok: true, requests };
}

/** "N requests for M points", the line logged at start (Telegraf logs the same). */
export function describePlan(requests: readonly ReadRequest[]): string {
  const points = requests.reduce((n, r) => n + r.points.length, 0);
  const regs = requests.filter((r) => !isBitTable(r.table)).reduce((n, r) => n + r.count, 0);
  const bits = requests.filter((r) => isBitTable(r.table)).reduce((n, r) => n + r.count, 0);
  return `${requests.length} request${requests.length === 1 ? '' : 's'} for ${points} point${points === 1 ? '' : 's'} (${regs} registers, ${bits} bits)`;
}
