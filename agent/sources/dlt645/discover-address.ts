/**
 * Address discovery on a bus with ONE meter: DL/T 645-2007 read-address (0x13) to the broadcast address
 * AAAAAAAAAAAA; the meter answers 0x93 with its address. With several meters on the bus they all answer at once and
 * the answers collide: the result then says to disconnect the others. For commissioning; the agent never does this.
 */
import { encodeFrame, FrameDecoder, hex } from '../../../protocols/dlt645/frame.js';
import { interpretAddressReply, readAddressRequest } from '../../../protocols/dlt645/messages.js';
import { openBusLink } from './bus-link.js';
import { DLT645_FAILURE_CODES as CODES } from './dlt645-failures.js';
import { busKey, parseDlt645Url } from './dlt645-url.js';

export type DiscoverResult = { ok: true; address: string } | { ok: false; code: string; message: string };

export async function discoverAddress(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<DiscoverResult> {
  const endpoint = parseDlt645Url(url);
  const decoder = new FrameDecoder();
  let onItem: ((r: DiscoverResult) => void) | undefined;
  let garbled = 0;
  const link = await openBusLink(
    busKey(endpoint),
    endpoint,
    {
      onData: (chunk) => {
        for (const item of decoder.push(chunk)) {
          if (item.kind === 'noise') garbled += item.bytes;
          if (item.kind === 'bad-checksum') garbled += item.raw.length;
          if (item.kind !== 'frame') continue;
          const address = interpretAddressReply(item.frame);
          if (address !== undefined) onItem?.({ ok: true, address });
        }
      },
      onDown: (reason) => onItem?.({ ok: false, code: CODES.notConnected, message: `bus down: ${reason}` }),
    },
    timeoutMs,
    signal,
  );
  try {
    return await new Promise<DiscoverResult>((resolve) => {
      const timer = setTimeout(
        () =>
          resolve(
            garbled > 0
              ? {
                  ok: false,
                  code: CODES.checksum,
                  message: `only garbled answers (${garbled} bytes): several meters answered at once; discovery needs a bus with ONE meter connected`,
                }
              : {
                  ok: false,
                  code: CODES.timeout,
                  message: `no meter answered the read-address request within ${timeoutMs} ms`,
                },
          ),
        timeoutMs,
      );
      onItem = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      const request = encodeFrame(readAddressRequest());
      link.write(request);
      signal.addEventListener(
        'abort',
        () => onItem?.({ ok: false, code: CODES.aborted, message: `aborted (sent ${hex(request)})` }),
        {
          once: true,
        },
      );
    });
  } finally {
    link.close();
  }
}
