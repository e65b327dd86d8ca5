/** `host:port` (or `[v6]:port`) of an HJ 212 listener. */
export interface ListenAddress {
  host: string;
  port: number;
  /** the key devices sharing a listener have in common */
  key: string;
}

export function readListen(text: string): ListenAddress | { problem: string } {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || port > 65535)
    return { problem: `must be host:port, such as 0.0.0.0:9212 or 127.0.0.1:9212, got "${text}"` };
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  return { host, port, key: `${host}:${port}` };
}
