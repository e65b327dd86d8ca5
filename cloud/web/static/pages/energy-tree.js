// Energy tree (能源平衡): the metering tree plant → workshop → line → equipment with each node's kWh, standard coal
// (tce, GB/T 2589-2020), unmetered share against its children, tce per good part, and meter coverage per GB 17167.
import { get } from '../api.js';
import { escapeHtml, int, num } from '../format.js';
import { t, tv } from '../i18n.js';
import { currentRange, RANGES, rangeControl } from '../range.js';

export function dispose() {}

/** Depth of each node (its parents are listed before it). */
function depths(nodes) {
  const d = new Map();
  for (const n of nodes) d.set(n.id, n.parent !== null && d.has(n.parent) ? d.get(n.parent) + 1 : 0);
  return d;
}

function balanceCell(n) {
  const b = n.balance.find((x) => x.carrier === 'electricity') ?? n.balance[0];
  if (!b) return '<td class="num muted">–</td>';
  const warn = Math.abs(b.unmetered_pct) >= 10 ? ' class="num warn"' : ' class="num"';
  // a metering difference of a few watt-hours is no sign: never show −0.0
  const zero = (v, d) => (Math.abs(v) < 0.5 * 10 ** -d ? 0 : v);
  return `<td${warn} data-testid="unmetered" title="${escapeHtml(`${num(b.parent, 1)} − ${num(b.children, 1)} ${b.unit}`)}">${num(zero(b.unmetered_pct, 1), 1)}%<small> · ${num(zero(b.unmetered, 1), 1)} ${escapeHtml(b.unit)}</small></td>`;
}

export async function render(root, ctx) {
  const key = currentRange(ctx.params);
  const range = RANGES[key];
  const span = t(`range.${key}`);
  const tree = await get('energy/tree', { site: ctx.site, period: range.period, from: range.from });
  if (tree.nodes.length === 0) {
    root.innerHTML = `<div class="page-head">${rangeControl('energy-tree', key)}</div>
      <section class="panel"><p class="muted" data-testid="tree-empty">${t('tree.none')}</p></section>`;
    return;
  }
  const roots = tree.nodes.filter((n) => n.parent === null);
  const sum = (f) => roots.reduce((s, n) => s + n[f], 0);
  const good = sum('good_count');
  // the plant has not set the electricity equal value (等价值): the API gives null and says why (notes)
  const equalMissing = roots.some((n) => n.kgce_equal_value === null);
  const rootBalance = roots[0]?.balance.find((b) => b.carrier === 'electricity');
  const depth = depths(tree.nodes);
  const parents = new Set(tree.nodes.map((n) => n.parent));
  root.innerHTML = `
    <div class="page-head">${rangeControl('energy-tree', key)}</div>
    <section class="kpis">
      <div class="kpi"><div class="label">${t('e.elec')} · ${span}</div><div class="value" data-testid="tree-kwh">${num(sum('kwh'), 0)}<small>kWh</small></div></div>
      <div class="kpi"><div class="label">${t('tree.tce')}</div><div class="value" data-testid="tree-tce">${num(sum('tce'), 3)}<small>tce</small></div></div>
      <div class="kpi"><div class="label">${t('tree.tceEqual')}</div>${
        equalMissing
          ? `<div class="value" data-testid="tree-tce-equal">–</div><div class="muted" data-testid="tree-equal-missing" style="overflow-wrap:anywhere"><small>${t('tree.equalMissing')}</small></div>`
          : `<div class="value" data-testid="tree-tce-equal">${num(sum('kgce_equal_value') / 1000, 3)}<small>tce</small></div>`
      }</div>
      <div class="kpi"><div class="label">${t('tree.perPart')}</div><div class="value" data-testid="tree-per-part">${good ? num((sum('kgce') / good) * 1000, 1) : '–'}<small>gce</small></div></div>
      <div class="kpi ${rootBalance && Math.abs(rootBalance.unmetered_pct) >= 10 ? 'alert' : ''}"><div class="label">${t('tree.unmetered')}</div><div class="value" data-testid="tree-unmetered">${rootBalance ? num(rootBalance.unmetered_pct, 1) : '–'}<small>%</small></div></div>
    </section>
    <section class="panel"><h2>${t('tree.title')} · ${span}</h2>
      <div class="table-wrap"><table data-testid="energy-tree"><thead><tr>
        <th>${t('tree.node')}</th><th>${t('tree.level')}</th><th class="num">kWh</th><th class="num">tce</th>
        <th class="num">${t('tree.unmeteredCol')}</th><th class="num">${t('tree.good')}</th><th class="num">${t('tree.perPartCol')}</th>
      </tr></thead><tbody>${tree.nodes
        .map(
          (n) => `<tr data-node="${escapeHtml(n.id)}">
          <td style="padding-left:${8 + 18 * depth.get(n.id)}px">${depth.get(n.id) > 0 ? '└ ' : ''}<b>${escapeHtml(n.name)}</b>${n.metered ? '' : ` <small class="muted">(${t(parents.has(n.id) ? 'tree.sumOfChildren' : 'tree.noMeter')})</small>`}</td>
          <td>${escapeHtml(tv('level', n.level))}</td>
          <td class="num" data-testid="node-kwh">${num(n.kwh, 1)}</td>
          <td class="num" data-testid="node-tce">${num(n.tce, 4)}</td>
          ${balanceCell(n)}
          <td class="num">${n.good_count ? int(n.good_count) : '–'}</td>
          <td class="num">${n.good_count ? num(n.kgce_per_good_part * 1000, 1) : '–'}</td>
        </tr>`,
        )
        .join('')}</tbody></table></div>
      <p class="muted"><small>${t('tree.note')}</small></p>
    </section>
    <section class="panel" style="margin-top:12px"><h2>${t('tree.coverage')}</h2>
      <div class="table-wrap"><table data-testid="coverage"><thead><tr>
        <th>${t('tree.covLevel')}</th><th>${t('e.byCarrier')}</th><th class="num">${t('tree.covRate')}</th><th class="num">${t('tree.covRequired')}</th><th>${t('tree.covSource')}</th><th>${t('tree.covStatus')}</th>
      </tr></thead><tbody>${tree.coverage
        .map(
          (c) => `<tr data-level="${escapeHtml(c.level)}" data-carrier="${escapeHtml(c.carrier)}">
          <td>${escapeHtml(tv('cov', c.level))}</td><td>${escapeHtml(tv('carrier', c.carrier))}</td>
          <td class="num" data-testid="cov-rate">${num(c.rate_pct, 1)}%</td>
          <td class="num">${c.required_pct === null ? '–' : `${num(c.required_pct, 0)}%`}</td>
          <td data-testid="cov-source" title="${escapeHtml(c.required_source_note ?? '')}">${c.required_source === null ? '–' : escapeHtml(t(`tree.src.${c.required_source}`))}</td>
          <td data-testid="cov-status" class="${c.compliant === false ? 'warn' : ''}">${c.compliant === null ? '–' : c.compliant ? t('tree.ok') : t('tree.below')}</td>
        </tr>`,
        )
        .join('')}</tbody></table></div>
      <p class="muted"><small>${t('tree.covNote')}</small></p>
    </section>`;
}
