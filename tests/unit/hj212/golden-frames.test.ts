/**
 * Golden HJ 212 packets. The first is the worked example of the packet structure in HJ 212-2017 itself (a platform
 * setting the real-time data interval, CRC 1C80); the second a field datalogger's wastewater real-time packet
 * published with its CRC (6E80) on the wareexpress forum's HJ 212 CRC thread
 * (https://forum.wareexpress.com/forum.php?mod=redirect&tid=6952), which is what dataloggers actually send: factor
 * groups with SampleTime, Rtd and Flag.
 */
import { describe, expect, it } from 'vitest';
import {
  dataResponse,
  encodePacket,
  hj212Crc16,
  PacketReader,
  parseDataSegment,
  readUpload,
  wantsReply,
} from '../../../protocols/hj212/index.js';

const STANDARD_EXAMPLE =
  '##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n';

const FIELD_SEGMENT =
  'QN=20210320163101890;ST=32;CN=2011;PW=123456;MN=81733553213013;Flag=4;CP=&&DataTime=20210320013400;' +
  'w00000-Rtd=181.682,w00000-Flag=N;w21001-SampleTime=20210320005400,w21001-Rtd=45.160,w21001-Flag=N;' +
  'w21011-SampleTime=20210320013400,w21011-Rtd=1.970,w21011-Flag=N;w21003-SampleTime=20210320013400,' +
  'w21003-Rtd=53.131,w21003-Flag=N;w01018-SampleTime=20210320013400,w01018-Rtd=194.200,w01018-Flag=N;' +
  'w01001-SampleTime=20210320013406,w01001-Rtd=7.496,w01001-Flag=N&&';

describe('HJ 212 golden packets', () => {
  it("the standard's example: length 0101, CRC 1C80, every header field", () => {
    const events = new PacketReader().push(Buffer.from(STANDARD_EXAMPLE, 'latin1'));
    expect(events).toHaveLength(1);
    const ev = events[0];
    if (ev?.kind !== 'packet') throw new Error(`refused: ${JSON.stringify(ev)}`);
    const seg = parseDataSegment(ev.data);
    expect(seg).toEqual({
      qn: '20160801085857223',
      st: '32',
      cn: '1062',
      pw: '100000',
      mn: '010000A8900016F000169DC0',
      flag: 5,
      cp: [[['RtdInterval', '30']]],
    });
    expect(wantsReply(seg)).toBe(true);
    expect(encodePacket(ev.data).toString('latin1')).toBe(STANDARD_EXAMPLE);
  });

  it('the CRC is the standard variant, not CRC-16/MODBUS', () => {
    const data = Buffer.from(STANDARD_EXAMPLE.slice(6, 6 + 101), 'latin1');
    expect(hj212Crc16(data)).toBe(0x1c80);
    // CRC-16/MODBUS of the same bytes differs: the standard shifts before XORing each byte
    let modbus = 0xffff;
    for (const b of data) {
      modbus ^= b;
      for (let i = 0; i < 8; i++) modbus = modbus & 1 ? (modbus >> 1) ^ 0xa001 : modbus >> 1;
    }
    expect(modbus).not.toBe(0x1c80);
  });

  it("a field datalogger's real-time packet: CRC 6E80, values with their flags, DataTime in Beijing time", () => {
    const packet = encodePacket(FIELD_SEGMENT).toString('latin1');
    expect(packet.slice(0, 6)).toBe('##0457');
    expect(packet.slice(-6)).toBe('6E80\r\n');
    const up = readUpload(parseDataSegment(FIELD_SEGMENT), 480);
    if ('problem' in up) throw new Error(up.problem);
    expect(up.period).toBe('realtime');
    expect(new Date(up.dataTime).toISOString()).toBe('2021-03-19T17:34:00.000Z');
    expect(up.problems).toEqual([]);
    expect(up.values).toContainEqual({ code: 'w01018', field: 'Rtd', value: 194.2, flag: 'N' });
    expect(up.values).toContainEqual({ code: 'w00000', field: 'Rtd', value: 181.682, flag: 'N' });
    expect(up.values.map((v) => v.code)).toEqual([
      'w00000',
      'w21001',
      'w21011',
      'w21003',
      'w01018',
      'w01001',
    ]);
  });

  it('answers an upload that asks for a reply with a 9014 data response carrying its QN', () => {
    const seg = parseDataSegment(FIELD_SEGMENT.replace('Flag=4', 'Flag=5'));
    expect(wantsReply(seg)).toBe(true);
    expect(dataResponse(seg)).toBe(
      'QN=20210320163101890;ST=91;CN=9014;PW=123456;MN=81733553213013;Flag=4;CP=&&&&',
    );
    expect(wantsReply(parseDataSegment(FIELD_SEGMENT))).toBe(false);
  });

  it('accepts a CRC written in lower case', () => {
    const lower = STANDARD_EXAMPLE.replace('1C80', '1c80');
    expect(new PacketReader().push(Buffer.from(lower, 'latin1'))).toMatchObject([{ kind: 'packet' }]);
  });
});
