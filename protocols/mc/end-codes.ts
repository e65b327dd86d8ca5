/**
 * MC protocol end codes (the "end code" / "complete code" of a 3E response) and what they mean. Pure.
 *
 * English text follows the error-code tables of the MELSEC-L CPU Module User's Manual (Built-In Ethernet Function),
 * section 5.4 "Error Codes for MC Protocol Communication", and of the QnUCPU User's Manual (Communication via
 * Built-in Ethernet Port), section 5.1.4; the hints are ours. The Chinese text is our own translation (no
 * Mitsubishi Chinese wording was at hand), meant for the operator reading a log on a Chinese shop floor.
 */
export interface EndCodeInfo {
  en: string;
  zh: string;
  /** what to check, when there is something the user can do */
  hint?: string;
}

const CODES: Record<number, EndCodeInfo> = {
  85: {
    en: 'online change is disabled and a write was requested while the CPU is in RUN',
    zh: '未允许RUN中写入（在线更改被禁止）',
  },
  49232: {
    en: 'ASCII data that cannot be converted to binary was received',
    zh: '收到无法转换为二进制的ASCII数据',
    hint: 'the PLC port is set to ASCII but the request is not valid ASCII, or the other way round: match `format:` to the port\'s "Communication Data Code"',
  },
  49233: {
    en: 'the number of read or write points is outside the allowable range',
    zh: '读写点数超出允许范围',
    hint: 'lower maxWordsPerRequest / maxBitsPerRequest',
  },
  49234: {
    en: 'the number of read or write points is outside the allowable range',
    zh: '读写点数超出允许范围',
    hint: 'lower maxWordsPerRequest / maxBitsPerRequest',
  },
  49235: {
    en: 'the number of read or write points is outside the allowable range',
    zh: '读写点数超出允许范围',
    hint: 'lower maxWordsPerRequest / maxBitsPerRequest',
  },
  49236: {
    en: 'the number of read or write points is outside the allowable range',
    zh: '读写点数超出允许范围',
    hint: 'lower maxWordsPerRequest / maxBitsPerRequest',
  },
  49238: {
    en: 'the read or write request exceeds the maximum address',
    zh: '读写请求超出最大地址（软元件范围）',
    hint: "check the device numbers against the PLC's device settings, and that maxGap does not read past the end of a device",
  },
  49240: {
    en: 'the request data length after ASCII-to-binary conversion does not match the data',
    zh: 'ASCII转换后的请求数据长度与数据不一致',
  },
  49241: {
    en: 'the command or subcommand is wrong, or the CPU does not support it',
    zh: '指令或子指令错误，或CPU不支持该指令',
    hint: 'set randomRead: false for a CPU without random read (0403)',
  },
  49243: {
    en: 'the CPU cannot read or write the specified device',
    zh: 'CPU无法读写指定的软元件',
    hint: 'the device does not exist on this CPU (e.g. R/ZR without file registers): check the addresses',
  },
  49244: {
    en: 'the request data is wrong (e.g. bit access to a word device)',
    zh: '请求数据错误（例如以位单位访问字软元件）',
  },
  49245: { en: 'no monitor registration', zh: '未进行监视登录' },
  49247: {
    en: 'the request cannot be executed on the CPU module',
    zh: '该请求无法对CPU模块执行',
    hint: 'check network, pc and moduleIo of the route',
  },
  49248: {
    en: 'the request data is wrong (e.g. bad data for bit devices)',
    zh: '请求数据错误（位软元件数据不正确）',
  },
  49249: {
    en: 'the request data length does not match the number of data',
    zh: '请求数据长度与数据个数不一致',
  },
  49263: {
    en: 'an ASCII request reached a binary port or the other way round',
    zh: '通信数据代码（二进制/ASCII）与设置不一致',
    hint: 'match `format:` to the port\'s "Communication Data Code"',
  },
};

/** What an end code means; codes 4000–4FFF are the CPU's own errors (its manual lists them). */
export function describeEndCode(code: number): EndCodeInfo {
  const known = CODES[code];
  if (known !== undefined) return known;
  if (code >= 0x4000 && code <= 0x4fff)
    return {
      en: "an error detected by the CPU module (see the CPU's error code list)",
      zh: 'CPU模块检测出的错误（参见CPU错误代码一览）',
    };
  return { en: 'an error the agent does not know', zh: '未知错误' };
}

/** "0xC056" */
export function endCodeText(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** One line for a log or a health page: code, English, Chinese, hint. */
export function endCodeMessage(code: number): string {
  const d = describeEndCode(code);
  return `end code ${endCodeText(code)}: ${d.en} (${d.zh})${d.hint === undefined ? '' : ` — ${d.hint}`}`;
}

/** The codes the table knows (docs, tests). */
export const KNOWN_END_CODES: readonly number[] = Object.keys(CODES).map(Number);
