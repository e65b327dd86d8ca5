/**
 * Horizontal ingest (docs/delivery.md#horizontal-ingest): several ingesters share the data through MQTT
 * shared subscriptions (`$share/{group}/…`, MQTT 5, and Mosquitto/EMQX/HiveMQ for 3.1.1 clients too), while
 * births, deaths and STATE go to every instance, because each host needs every birth to resolve the aliases
 * of the data it gets. The broker delivers a client's messages in publish order across its subscriptions, so
 * a DBIRTH still reaches an instance before the DDATA that follows it.
 */
const SPB = 'spBv1.0/#';
const SPB_TO_ALL = [
  'spBv1.0/+/NBIRTH/#',
  'spBv1.0/+/NDEATH/#',
  'spBv1.0/+/DBIRTH/#',
  'spBv1.0/+/DDEATH/#',
  'spBv1.0/STATE/#',
];
const SPB_SHARED = ['spBv1.0/+/NDATA/#', 'spBv1.0/+/DDATA/#'];

/** The topic filters to subscribe with for `group`: births to all, data shared. No group: the filters unchanged. */
export function sharedSubscriptions(filters: readonly string[], group: string | undefined): string[] {
  if (group === undefined) return [...filters];
  const out: string[] = [];
  for (const f of filters) {
    if (f === SPB) {
      out.push(...SPB_TO_ALL, ...SPB_SHARED.map((s) => `$share/${group}/${s}`));
    } else out.push(`$share/${group}/${f}`);
  }
  return out;
}
