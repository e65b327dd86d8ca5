/**
 * A message's decoded samples as columns (issue 16, point 2): the hot path — host → line mapper, live view, fleet
 * view — reads values by index and builds no object per value; a number lives in a Float64Array. Consecutive values
 * of one `site/node/device` share a run (a DATA message is one device's), so those three are stored once per run.
 * `at(i)` / iteration make `HostSample` objects for the consumers that want them (analytics, for the devices it
 * uses; tests).
 *
 * Plain arrays, not typed arrays: one is made per message (the live feed's replay ring keeps it), and a small typed
 * array costs an ArrayBuffer each; an array that only ever holds numbers keeps them unboxed as well.
 */
import type { Quality, SampleValue } from '../../protocols/sample.js';
import type { HostSample } from './host-types.js';

const QUALITY_MASK = 3;
const HISTORICAL = 4;
const IS_NUMBER = 8;
const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];
const QUALITY_CODE: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 };

export class HostSamples implements Iterable<HostSample> {
  #n = 0;
  readonly #metric: string[] = [];
  /** a number value, else 0 (so the array holds only numbers) */
  readonly #num: number[] = [];
  readonly #time: number[] = [];
  /** quality (2 bits), historical, and whether the value is in `#num` */
  readonly #flags: number[] = [];
  /** values that are not numbers, by index */
  readonly #other: SampleValue[] = [];
  /** each value's run */
  readonly #run: number[] = [];
  #runSite: string[] = [];
  #runNode: string[] = [];
  #runDevice: string[] = [];

  static of(samples: Iterable<HostSample>): HostSamples {
    const out = new HostSamples();
    for (const s of samples) out.push(s);
    return out;
  }

  get length(): number {
    return this.#n;
  }

  add(
    site: string,
    node: string,
    device: string,
    metric: string,
    value: SampleValue,
    timestamp: number,
    quality: Quality,
    historical: boolean,
  ): void {
    const i = this.#n;
    const runs = this.#runSite.length;
    const last = runs - 1;
    if (
      last >= 0 &&
      this.#runDevice[last] === device &&
      this.#runNode[last] === node &&
      this.#runSite[last] === site
    ) {
      this.#run.push(last);
    } else {
      this.#runSite.push(site);
      this.#runNode.push(node);
      this.#runDevice.push(device);
      this.#run.push(runs);
    }
    this.#metric.push(metric);
    this.#time.push(timestamp);
    let f = QUALITY_CODE[quality] | (historical ? HISTORICAL : 0);
    if (typeof value === 'number') {
      this.#num.push(value);
      f |= IS_NUMBER;
    } else {
      this.#num.push(0);
      this.#other[i] = value;
    }
    this.#flags.push(f);
    this.#n = i + 1;
  }

  push(...samples: HostSample[]): void {
    for (const s of samples)
      this.add(s.site, s.node, s.device, s.metric, s.value, s.timestamp, s.quality, s.historical === true);
  }

  site(i: number): string {
    return this.#runSite[this.#run[i] as number] as string;
  }
  node(i: number): string {
    return this.#runNode[this.#run[i] as number] as string;
  }
  device(i: number): string {
    return this.#runDevice[this.#run[i] as number] as string;
  }
  metric(i: number): string {
    return this.#metric[i] as string;
  }
  value(i: number): SampleValue {
    return ((this.#flags[i] as number) & IS_NUMBER) !== 0
      ? (this.#num[i] as number)
      : (this.#other[i] as SampleValue);
  }
  timestamp(i: number): number {
    return this.#time[i] as number;
  }
  quality(i: number): Quality {
    return QUALITIES[(this.#flags[i] as number) & QUALITY_MASK] as Quality;
  }
  historical(i: number): boolean {
    return ((this.#flags[i] as number) & HISTORICAL) !== 0;
  }
  /** the index of value `i`'s run: equal for values of one site/node/device in a row */
  run(i: number): number {
    return this.#run[i] as number;
  }

  /** value `i` as an object */
  at(i: number): HostSample {
    const s: HostSample = {
      device: this.device(i),
      metric: this.metric(i),
      value: this.value(i),
      timestamp: this.timestamp(i),
      quality: this.quality(i),
      site: this.site(i),
      node: this.node(i),
    };
    if (this.historical(i)) s.historical = true;
    return s;
  }

  toArray(): HostSample[] {
    const out: HostSample[] = [];
    for (let i = 0; i < this.#n; i++) out.push(this.at(i));
    return out;
  }

  /** the samples of the devices `wanted` says yes to, as objects; it is asked once per run */
  select(wanted: (site: string, device: string) => boolean): HostSample[] {
    const out: HostSample[] = [];
    let run = -1;
    let want = false;
    for (let i = 0; i < this.#n; i++) {
      const r = this.#run[i] as number;
      if (r !== run) {
        run = r;
        want = wanted(this.#runSite[r] as string, this.#runDevice[r] as string);
      }
      if (want) out.push(this.at(i));
    }
    return out;
  }

  [Symbol.iterator](): Iterator<HostSample> {
    return this.toArray()[Symbol.iterator]();
  }

  /** Keeps the values `keep` says yes to, in order; returns how many went. */
  retain(keep: (i: number) => boolean): number {
    let w = 0;
    const n = this.#n;
    for (let i = 0; i < n; i++) {
      if (!keep(i)) continue;
      if (w !== i) {
        this.#metric[w] = this.#metric[i] as string;
        this.#num[w] = this.#num[i] as number;
        this.#time[w] = this.#time[i] as number;
        this.#flags[w] = this.#flags[i] as number;
        this.#other[w] = this.#other[i] as SampleValue;
        this.#run[w] = this.#run[i] as number;
      }
      w++;
    }
    this.#n = w;
    for (const a of [this.#metric, this.#num, this.#time, this.#flags, this.#run]) a.length = w;
    this.#other.length = Math.min(this.#other.length, w);
    return n - w;
  }
}
