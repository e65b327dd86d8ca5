/**
 * The V8 options a service runs with (`Environment=NODE_OPTIONS=…` in its systemd unit, where an integrator can
 * override them with a drop-in). The agent's heap is bounded: left to V8's defaults on a machine with a lot of memory
 * (a heap limit of 4 GiB here), its old generation grows to ~200 MiB at 10,000 tags although ~40 MiB is live, because
 * V8 collects lazily when the limit is far away. 128 MiB of old generation is three times what 10,000 tags keep live;
 * a 2 MiB young generation costs no measurable CPU at that rate (bench row `agent.rss_mib`, README "Performance").
 * The ingester keeps V8's defaults: its heap follows analytics windows and request sizes, not tag count.
 */
import type { ServiceKind } from './systemd-unit.js';

export const SERVICE_NODE_OPTIONS: Readonly<Record<ServiceKind, string | undefined>> = {
  agent: '--max-old-space-size=128 --max-semi-space-size=2',
  cloud: undefined,
};
