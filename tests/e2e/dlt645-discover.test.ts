/**
 * `plantpulse dlt645 discover` through the built CLI against `plantpulse sim dlt645` (a DTU over TCP), as a user at
 * the cabinet would run it: one meter on the bus answers with its address; two collide and the command says so;
 * a bus that cannot be opened, one where no meter answers and a bad URL are clear errors with their exit codes.
 */
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, runCli, spawnCli } from '../helpers/cli-process.js';

let one: CliProcess;
let two: CliProcess;
let oneUrl = '';
let twoUrl = '';

beforeAll(async () => {
  one = spawnCli(['sim', 'dlt645', '--meters', '002241020208', '--port', '0']);
  two = spawnCli(['sim', 'dlt645', '--meters', '000012345678,000012345679', '--port', '0']);
  oneUrl = String((await one.waitFor((l) => l.event === 'listening')).url);
  twoUrl = String((await two.waitFor((l) => l.event === 'listening')).url);
});
afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('plantpulse dlt645 discover', () => {
  it('prints the one meter’s address and the device line to paste, exit 0', async () => {
    const r = await runCli(['dlt645', 'discover', oneUrl, '--timeout', '2s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.split('\n');
    expect(header).toMatch(/^BUS\s+ADDRESS\s+RESULT$/);
    expect(row).toMatch(
      new RegExp(`^${oneUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+002241020208\\s+ok$`),
    );
    expect(r.stdout).toContain(`dlt645: { url: "${oneUrl}", address: "002241020208" }`);
  });

  it('JSON, one object per bus; two meters on a bus collide and the row says to disconnect the others, exit 1', async () => {
    const r = await runCli(['dlt645', 'discover', oneUrl, twoUrl, '--timeout', '1s', '--format', 'json']);
    expect(r.code).toBe(1);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      { url: oneUrl, ok: true, address: '002241020208' },
      {
        url: twoUrl,
        ok: false,
        code: 'DLT645_CHECKSUM',
        message: expect.stringMatching(/several meters answered at once.*ONE meter/),
      },
    ]);
    expect(r.stderr).toContain('1 of 2 bus(es) gave no address');
  });

  it('a bus that cannot be opened, and one where no meter answers: the code and a sentence each, exit 1', async () => {
    // a converter that accepts the connection and never answers (a meter without power, a wrong baud rate behind it)
    const silent = createServer((socket) => socket.on('data', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const r = await runCli([
        'dlt645',
        'discover',
        'tcp://127.0.0.1:1',
        `tcp://127.0.0.1:${port}`,
        '--timeout',
        '500ms',
        '--format',
        'json',
      ]);
      expect(r.code).toBe(1);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(rows).toEqual([
        {
          url: 'tcp://127.0.0.1:1',
          ok: false,
          code: 'DLT645_CONNECT',
          message: expect.stringMatching(/cannot open meter bus/),
        },
        {
          url: `tcp://127.0.0.1:${port}`,
          ok: false,
          code: 'DLT645_TIMEOUT',
          message: 'no meter answered the read-address request within 500 ms',
        },
      ]);
      expect(r.stderr).toContain('2 of 2 bus(es) gave no address');
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const noUrl = await runCli(['dlt645', 'discover']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('give the bus');
    const badUrl = await runCli(['dlt645', 'discover', 'http://meter']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('scheme http is not rtu or tcp');
    const badSub = await runCli(['dlt645', 'scan']);
    expect(badSub.code).toBe(2);
    expect(badSub.stderr).toContain('unknown subcommand "scan"');
    const help = await runCli(['dlt645', 'discover', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('68 AA AA AA AA AA AA 68 13 00 DF 16');
  });
});
