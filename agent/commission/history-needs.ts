/**
 * Which virtual sensors one reading cannot give. A scaled signal (4–20 mA → A) and power (I × V × PF × √3) follow
 * from a single reading, so `--once` shows them; state needs readings over its minimum dwell, part counts need the
 * pulses or cycles between readings, energy integrates power over time — `--once` names those and says why.
 */
import { formatDuration } from '../../config/units.js';
import type { AgentDevice } from '../config/device-spec.js';
import { DERIVED_NAMES } from '../derive/plan.js';

/** Derived metric name → why one reading is not enough. */
export function historyNeeds(device: AgentDevice): Map<string, string> {
  const out = new Map<string, string>();
  const d = device.derive;
  if (d === undefined) return out;
  if (d.state !== undefined) {
    const dwell = formatDuration(d.state.minDwell);
    out.set(
      DERIVED_NAMES.state,
      `needs history: off/idle/running is decided over readings lasting minDwell (${String(dwell)})`,
    );
  }
  const pc = d.part_count;
  if (pc !== undefined && 'counter' in pc) {
    out.set(DERIVED_NAMES.partCount, `needs history: counts the pulses on ${pc.from} between readings`);
  } else if (pc !== undefined) {
    out.set(DERIVED_NAMES.partCount, `needs history: counts load cycles on ${pc.from} over time`);
    out.set(DERIVED_NAMES.cycleTime, 'needs history: the time from one cycle start to the next');
  }
  if (d.power_kw !== undefined) {
    out.set(DERIVED_NAMES.energy, 'needs history: integrates power_kw over time');
  }
  return out;
}
