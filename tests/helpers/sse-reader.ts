/** Reads a server-sent-events stream with fetch, as the dashboard does, for tests of `/api/v1/live`. */
import { expect } from 'vitest';

export interface SseEvent {
  event: string;
  /** the SSE `id:` line, when the event had one */
  id?: string;
  data: unknown;
}

export interface ReadSseOptions {
  headers?: Record<string, string>;
  /** called once, after the `hello` event: publish what the test wants to see here */
  onHello?: (hello: unknown) => void;
  deadlineMs?: number;
}

/** Reads events until `until` says stop (or the stream ends, or the deadline passes: then it throws). */
export async function readSse(
  url: string,
  until: (events: SseEvent[]) => boolean,
  opts: ReadSseOptions = {},
): Promise<SseEvent[]> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers: opts.headers ?? {}, signal: ctrl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const dec = new TextDecoder();
  const events: SseEvent[] = [];
  let buf = '';
  const deadline = Date.now() + (opts.deadlineMs ?? 10_000);
  try {
    while (!until(events)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(events)}`);
      const { value: chunk, done } = await reader.read();
      if (done) break;
      buf += dec.decode(chunk, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const id = /^id: (.*)$/m.exec(block)?.[1];
        if (ev && data) {
          const parsed: unknown = JSON.parse(data);
          events.push({ event: ev, data: parsed, ...(id === undefined ? {} : { id }) });
          if (ev === 'hello') opts.onHello?.(parsed);
        }
        i = buf.indexOf('\n\n');
      }
    }
  } finally {
    ctrl.abort();
  }
  return events;
}
