/**
 * The data flag a datalogger puts on each factor (`a21026-Flag=N`), HJ 212-2017, and what it means for the
 * project's three qualities (good, uncertain, bad; protocols/sample.ts). A value the plant's own process made
 * under normal operation is good; one the analyser produced outside normal measurement is uncertain; one that is
 * not a measurement of the emission at all is bad. Pure.
 */
import type { Quality } from '../sample.js';

export interface DataFlag {
  flag: string;
  zh: string;
  en: string;
  quality: Quality;
}

export const DATA_FLAGS: readonly DataFlag[] = [
  { flag: 'N', zh: '在线监控（监测）仪器仪表工作正常', en: 'normal', quality: 'good' },
  { flag: 'F', zh: '在线监控（监测）仪器仪表停运', en: 'analyser stopped', quality: 'uncertain' },
  { flag: 'S', zh: '手工输入的设定值', en: 'manually entered value', quality: 'uncertain' },
  { flag: 'T', zh: '超测上限', en: 'above the measuring range', quality: 'uncertain' },
  { flag: 'M', zh: '在线监控（监测）仪器仪表处于维护期间产生的数据', en: 'maintenance', quality: 'bad' },
  { flag: 'C', zh: '在线监控（监测）仪器仪表处于校准状态', en: 'calibration', quality: 'bad' },
  { flag: 'D', zh: '在线监控（监测）仪器仪表故障', en: 'analyser fault', quality: 'bad' },
  {
    flag: 'B',
    zh: '在线监控（监测）仪器仪表与数采仪通讯异常',
    en: 'analyser-datalogger link fault',
    quality: 'bad',
  },
];

const BY_FLAG = new Map(DATA_FLAGS.map((f) => [f.flag, f]));

/** The quality of a flagged value; no flag is good (the standard's default), an unknown flag uncertain. */
export function qualityOfFlag(flag: string | undefined): Quality {
  if (flag === undefined) return 'good';
  return BY_FLAG.get(flag.toUpperCase())?.quality ?? 'uncertain';
}

export function findDataFlag(flag: string): DataFlag | undefined {
  return BY_FLAG.get(flag.toUpperCase());
}
