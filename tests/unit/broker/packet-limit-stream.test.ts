/**
 * The duplex the embedded broker puts between a socket and aedes (cloud/broker/packet-limit.ts `limitPackets`) must
 * pass aedes' writes on as the socket takes them: what mqtt-packet writes corked reaches the socket corked, and a
 * write is done once the socket took it, not once it was flushed (waiting for each flush made the broker 9 × slower).
 * The cut-off of oversized packets is attacked in tests/security/broker-packet-limits.test.ts.
 */
import { Duplex } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { limitPackets } from '../../../cloud/broker/packet-limit.js';

/** A socket stand-in that records what is done to it and never reports a write flushed. */
function recordingSocket() {
  const calls: string[] = [];
  const sock = new Duplex({ read() {}, write(_c, _e, _cb) {} });
  sock.cork = () => {
    calls.push('cork');
  };
  sock.uncork = () => {
    calls.push('uncork');
  };
  sock.write = ((chunk: Buffer) => {
    calls.push(`write ${chunk.toString()}`);
    return true;
  }) as Duplex['write'];
  return { sock, calls };
}

describe('limitPackets duplex', () => {
  test('writes made while corked reach the socket in one corked batch', async () => {
    const { sock, calls } = recordingSocket();
    const wrapped = limitPackets(sock, 1024, () => undefined);
    wrapped.cork();
    wrapped.write(Buffer.from('a'));
    wrapped.write(Buffer.from('b'));
    wrapped.write(Buffer.from('c'));
    wrapped.uncork();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['cork', 'write a', 'write b', 'write c', 'uncork']);
  });

  test('a write is done once the socket took it, though the socket never says it was flushed', async () => {
    const { sock, calls } = recordingSocket();
    const wrapped = limitPackets(sock, 1024, () => undefined);
    const done: string[] = [];
    wrapped.write(Buffer.from('x'), () => done.push('x'));
    wrapped.write(Buffer.from('y'), () => done.push('y'));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['write x', 'write y']);
    expect(done).toEqual(['x', 'y']);
  });

  test('a socket that is full holds the next write until it drains', async () => {
    const { sock, calls } = recordingSocket();
    let full = true;
    sock.write = ((chunk: Buffer) => {
      calls.push(`write ${chunk.toString()}`);
      return !full;
    }) as Duplex['write'];
    const wrapped = limitPackets(sock, 1024, () => undefined);
    const done: string[] = [];
    wrapped.write(Buffer.from('x'), () => done.push('x'));
    wrapped.write(Buffer.from('y'), () => done.push('y'));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['write x']);
    expect(done).toEqual([]);
    full = false;
    sock.emit('drain');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['write x', 'write y']);
    expect(done).toEqual(['x', 'y']);
  });
});
