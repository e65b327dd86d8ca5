/**
 * Monitoring factor codes of HJ 212-2017 (its appendix tables of pollutant codes for wastewater, flue gas and
 * noise) that CEMS and wastewater dataloggers commonly send, with names in Chinese and English and the units of
 * their concentration (`-Rtd/-Avg/-Min/-Max`) and of their emitted amount (`-Cou`). A code outside this table is
 * still received when a device declares it; it only lacks names and units. Pure.
 *
 * Checked against two public code tables transcribed from the standard's appendix (not the standard's text
 * itself): freeioe/freeioe_example_apps `__hj_bak/ruiao/hj212/tags/info.lua` (code, name, unit, -Cou unit, format)
 * and xiaoyao9184/hj-t212-parser (enum `PollutionNoise`): a00000 废气 立方米/秒 (-Cou 立方米), w00000 污水 升/秒
 * (-Cou 立方米), a01016 烟道截面积 平方米, a01017 烟气动压 千帕, and the twelve noise codes LA, L5, L10, L50, L90,
 * L95, Leq, Ldn, Ld, Ln, LMx, LMn in 分贝, format N3.1.
 */
export type Medium = 'air' | 'water' | 'noise';

export interface PollutantCode {
  code: string;
  zh: string;
  en: string;
  medium: Medium;
  /** unit of -Rtd, -Avg, -Min, -Max */
  unit?: string;
  /** unit of -Cou (the amount emitted over the period) */
  couUnit?: string;
  /** a concentration that limits apply to after conversion to the reference O2 (-ZsRtd, -ZsAvg, …) */
  corrected?: boolean;
}

const air = (code: string, zh: string, en: string, unit: string, extra: Partial<PollutantCode> = {}) =>
  ({ code, zh, en, medium: 'air', unit, ...extra }) satisfies PollutantCode;
const water = (code: string, zh: string, en: string, unit: string, extra: Partial<PollutantCode> = {}) =>
  ({ code, zh, en, medium: 'water', unit, ...extra }) satisfies PollutantCode;
const noise = (code: string, zh: string, en: string) =>
  ({ code, zh, en, medium: 'noise', unit: 'dB(A)' }) satisfies PollutantCode;
const gas = { couUnit: 'kg', corrected: true } as const;

export const POLLUTANT_CODES: readonly PollutantCode[] = [
  // flue gas (废气)
  air('a00000', '废气', 'flue gas flow', 'm³/s', { couUnit: 'm³' }),
  air('a01011', '烟气流速', 'flue gas velocity', 'm/s'),
  air('a01012', '烟气温度', 'flue gas temperature', '℃'),
  air('a01013', '烟气压力', 'flue gas pressure', 'kPa'),
  air('a01014', '烟气湿度', 'flue gas humidity', '%'),
  air('a01016', '烟道截面积', 'stack cross-section', 'm²'),
  air('a01017', '烟气动压', 'flue gas dynamic pressure', 'kPa'),
  air('a19001', '氧气含量', 'oxygen (O2)', '%'),
  air('a21026', '二氧化硫', 'sulphur dioxide (SO2)', 'mg/m³', gas),
  air('a21002', '氮氧化物', 'nitrogen oxides (NOx)', 'mg/m³', gas),
  air('a21003', '一氧化氮', 'nitric oxide (NO)', 'mg/m³', gas),
  air('a21004', '二氧化氮', 'nitrogen dioxide (NO2)', 'mg/m³', gas),
  air('a21005', '一氧化碳', 'carbon monoxide (CO)', 'mg/m³', gas),
  air('a21001', '氨', 'ammonia (NH3)', 'mg/m³', gas),
  air('a34013', '颗粒物', 'particulates', 'mg/m³', gas),
  air('a24088', '非甲烷总烃', 'non-methane hydrocarbons', 'mg/m³', gas),
  // wastewater (污水)
  water('w00000', '污水', 'wastewater flow', 'L/s', { couUnit: 'm³' }),
  water('w01001', 'pH值', 'pH', 'pH'),
  water('w01010', '水温', 'water temperature', '℃'),
  water('w01009', '溶解氧', 'dissolved oxygen', 'mg/L'),
  water('w01012', '悬浮物', 'suspended solids', 'mg/L', { couUnit: 'kg' }),
  water('w01018', '化学需氧量', 'chemical oxygen demand (COD)', 'mg/L', { couUnit: 'kg' }),
  water('w21003', '氨氮', 'ammonia nitrogen', 'mg/L', { couUnit: 'kg' }),
  water('w21001', '总氮', 'total nitrogen', 'mg/L', { couUnit: 'kg' }),
  water('w21011', '总磷', 'total phosphorus', 'mg/L', { couUnit: 'kg' }),
  // noise (噪声); codes are matched case-insensitively (LMx = Lmx)
  noise('LA', 'A权声级', 'A-weighted sound level'),
  noise('L5', '累计百分声级L5', 'percentile level L5'),
  noise('L10', '累计百分声级L10', 'percentile level L10'),
  noise('L50', '累计百分声级L50', 'percentile level L50'),
  noise('L90', '累计百分声级L90', 'percentile level L90'),
  noise('L95', '累计百分声级L95', 'percentile level L95'),
  noise('Leq', '等效声级', 'equivalent continuous sound level'),
  noise('Ldn', '昼夜等效声级', 'day-night equivalent level'),
  noise('Ld', '昼间等效声级', 'day-time equivalent level'),
  noise('Ln', '夜间等效声级', 'night-time equivalent level'),
  noise('LMx', '最大的瞬时声级', 'maximum instantaneous sound level'),
  noise('LMn', '最小的瞬时声级', 'minimum instantaneous sound level'),
];

const BY_CODE = new Map(POLLUTANT_CODES.map((p) => [p.code.toLowerCase(), p]));

/** The table entry for a code (case-insensitive), undefined outside the table. */
export function findPollutant(code: string): PollutantCode | undefined {
  return BY_CODE.get(code.toLowerCase());
}

/** What a factor code may look like in a packet: letters and digits (a21026, w01018, Leq). */
export const FACTOR_CODE_PATTERN = /^[A-Za-z0-9]{1,16}$/;
