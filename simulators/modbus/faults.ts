/** Fault injection for the Modbus simulator: what a misbehaving field device does. */
export type FaultKind =
  /** answer late */
  | 'delay'
  /** answer with a Modbus exception (2 illegal address, 6 busy, …) */
  | 'exception'
  /** never answer (the master times out) */
  | 'silence'
  /** TCP: close the client's connection; serial: same as silence */
  | 'drop'
  /** answer with a broken frame (bad CRC on RTU, a malformed MBAP on TCP) */
  | 'garbage';

export interface FaultSpec {
  kind: FaultKind;
  /** only requests to this unit (default any) */
  unitId?: number;
  /** only this function code (default any) */
  functionCode?: number;
  /** only requests whose range includes this address (default any) */
  address?: number;
  delayMs?: number;
  exceptionCode?: number;
  /** how many matching requests it affects (default: until cleared) */
  times?: number;
}

interface ActiveFault extends FaultSpec {
  id: number;
  left: number;
}

export interface FaultRequest {
  unitId: number;
  functionCode: number;
  address: number;
  count: number;
}

export class FaultBook {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): number {
    const id = this.nextId++;
    this.faults.push({ ...spec, id, left: spec.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  remove(id: number): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, consuming one of its `times`. */
  take(req: FaultRequest): FaultSpec | undefined {
    const f = this.faults.find(
      (x) =>
        x.left > 0 &&
        (x.unitId === undefined || x.unitId === req.unitId) &&
        (x.functionCode === undefined || x.functionCode === req.functionCode) &&
        (x.address === undefined ||
          (x.address >= req.address && x.address < req.address + Math.max(1, req.count))),
    );
    if (f === undefined) return undefined;
    f.left--;
    if (f.left <= 0) this.remove(f.id);
    return f;
  }
}
