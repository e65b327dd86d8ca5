import { type StaticDecode, Type } from '@sinclair/typebox';
import { optional, Section } from '../spec.js';
import { ByteSize, Duration } from './common.js';

export const AuditConfig = Section({
  path: optional(Type.String({ minLength: 1 }), {
    description:
      'the audit log (JSON lines, mode 0600, its directory 0700); rotated files are kept next to it as `<path>.<time>`',
    defaultText: '`audit/audit.jsonl` under spool.path',
  }),
  maxFileBytes: optional(ByteSize, {
    description: 'rotate the file before it grows past this',
    default: '64MiB',
  }),
  retention: optional(Duration, {
    description:
      'delete rotated files whose last event is older than this (等保 2.0 level 3 asks for 180 days)',
    default: '180d',
  }),
});
export type AuditConfig = StaticDecode<typeof AuditConfig>;
