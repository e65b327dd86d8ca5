import { describe, expect, it } from 'vitest';
import { findPollutant } from '../../../protocols/hj212/pollutants.js';

// Entries checked against public transcriptions of the HJ 212-2017 appendix code tables (see pollutants.ts):
// freeioe/freeioe_example_apps __hj_bak/ruiao/hj212/tags/info.lua and xiaoyao9184/hj-t212-parser PollutionNoise.
describe('HJ 212 factor code table', () => {
  it('flue gas and wastewater flow: a00000 in m³/s, w00000 in L/s, both totalled in m³', () => {
    expect(findPollutant('a00000')).toMatchObject({ zh: '废气', medium: 'air', unit: 'm³/s', couUnit: 'm³' });
    expect(findPollutant('w00000')).toMatchObject({
      zh: '污水',
      medium: 'water',
      unit: 'L/s',
      couUnit: 'm³',
    });
  });

  it('a01016 is the stack cross-section and a01017 the dynamic pressure', () => {
    expect(findPollutant('a01016')).toMatchObject({ zh: '烟道截面积', unit: 'm²' });
    expect(findPollutant('a01017')).toMatchObject({ zh: '烟气动压', unit: 'kPa' });
  });

  it('the twelve noise codes, matched whatever their case (LMx as sent, lmx, LMX)', () => {
    const codes = ['LA', 'L5', 'L10', 'L50', 'L90', 'L95', 'Leq', 'Ldn', 'Ld', 'Ln', 'LMx', 'LMn'];
    for (const c of codes) expect(findPollutant(c), c).toMatchObject({ code: c, medium: 'noise' });
    expect(findPollutant('lmx')?.zh).toBe('最大的瞬时声级');
    expect(findPollutant('LMN')?.zh).toBe('最小的瞬时声级');
    expect(findPollutant('L99')).toBeUndefined();
  });
});
