/**
 * The metrics an OPC UA source produces, known before connect from config (`type:` when given, `double`
 * otherwise) and refined from the values themselves: the first value of an item tells its built-in type, whether
 * it is an array (→ `name_0…`) or a structure (→ `name_field…`). When the set changes the catalog calls
 * `onChanged` once per change so the publisher can send a new birth.
 */
import type { MetricInfo, MetricKind } from '../../../protocols/metric.js';
import { kindOfTypeName } from '../../../protocols/opcua/data-types.js';
import type { FlatField } from '../../../protocols/opcua/value-flatten.js';

export interface CatalogItem {
  name: string;
  type?: string | undefined;
  unit?: string | undefined;
  structure?: 'flatten' | 'json' | undefined;
  description?: string | undefined;
}

export class MetricCatalog {
  /** metrics of each item, in config order */
  readonly #byItem = new Map<string, MetricInfo[]>();
  #list: MetricInfo[] = [];

  constructor(
    items: readonly CatalogItem[],
    private readonly onChanged: (metrics: readonly MetricInfo[]) => void = () => undefined,
  ) {
    for (const item of items) {
      const kind: MetricKind =
        item.structure === 'json'
          ? 'string'
          : ((item.type === undefined ? undefined : kindOfTypeName(item.type)) ?? 'double');
      const info: MetricInfo = { name: item.name, kind };
      if (item.unit !== undefined) info.unit = item.unit;
      if (item.description !== undefined) info.description = item.description;
      this.#byItem.set(item.name, [info]);
    }
    this.#rebuild();
  }

  get metrics(): readonly MetricInfo[] {
    return this.#list;
  }

  /** metric names of an item as last seen (for bad samples: every one of them goes bad) */
  namesOf(item: string): readonly string[] {
    return (this.#byItem.get(item) ?? []).map((m) => m.name);
  }

  /** Records the shape of an item's latest good/uncertain value; returns true when the catalog changed. */
  observe(item: string, fields: readonly FlatField[]): boolean {
    const current = this.#byItem.get(item) ?? [];
    if (fields.length === 0) return false;
    if (
      current.length === fields.length &&
      current.every((m, i) => m.name === fields[i]?.name && m.kind === fields[i]?.kind)
    ) {
      return false;
    }
    const unit = current[0]?.unit;
    const next = fields.map((f) => {
      const info: MetricInfo = { name: f.name, kind: f.kind };
      if (unit !== undefined) info.unit = unit;
      return info;
    });
    this.#byItem.set(item, next);
    this.#rebuild();
    this.onChanged(this.#list);
    return true;
  }

  #rebuild(): void {
    this.#list = [...this.#byItem.values()].flat();
  }
}
