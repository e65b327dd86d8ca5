/**
 * Walks a server's address space (hierarchical references, forward) from a root node down to a depth, and
 * describes every variable: node id, browse path, data type, value rank and access level. Browse and Read calls
 * are batched by the server's MaxNodesPerBrowse / MaxNodesPerRead; continuation points are followed (browseAll).
 */
import {
  AttributeIds,
  BrowseDirection,
  browseAll,
  type ClientSession,
  type DataValue,
  NodeClass,
  ReferenceTypeIds,
} from 'node-opcua';
import { chunk, effectiveLimit, type OperationLimits } from '../../../protocols/opcua/batches.js';
import { builtinTypeName } from '../../../protocols/opcua/data-types.js';

export interface BrowseOptions {
  /** node id to start from (default the Objects folder, i=85) */
  root?: string;
  /** levels below the root (default 10) */
  depth?: number;
  /** glob on the browse path (`CNC01/**`, `*\/Spindle/*`): `*` within a segment, `**` across segments */
  path?: string;
  /** stop after this many variables (default 10 000) */
  maxVariables?: number;
  /** also walk the standard `Server` object (skipped by default: hundreds of diagnostics nodes) */
  includeServer?: boolean;
  signal?: AbortSignal;
}

export interface BrowsedVariable {
  nodeId: string;
  /** browse names from below the root, joined with `/` */
  path: string;
  dataType: string;
  /** -1 scalar, ≥ 1 array dimensions, … (OPC UA ValueRank) */
  valueRank: number;
  readable: boolean;
  writable: boolean;
}

export interface BrowseOutcome {
  variables: BrowsedVariable[];
  /** true when maxVariables stopped the walk */
  truncated: boolean;
  browseCalls: number;
}

const SERVER_OBJECT = 'ns=0;i=2253';

export async function browseVariables(
  session: ClientSession,
  limits: OperationLimits,
  opts: BrowseOptions = {},
): Promise<BrowseOutcome> {
  const maxDepth = opts.depth ?? 10;
  const maxVariables = opts.maxVariables ?? 10_000;
  const filter = opts.path === undefined ? undefined : globToRegExp(opts.path);
  const browseSize = effectiveLimit(limits.maxNodesPerBrowse, 500);
  const readSize = effectiveLimit(limits.maxNodesPerRead);
  let frontier: { nodeId: string; path: string }[] = [{ nodeId: opts.root ?? 'i=85', path: '' }];
  const seen = new Set<string>(frontier.map((f) => f.nodeId));
  const found: { nodeId: string; path: string }[] = [];
  let browseCalls = 0;
  let truncated = false;
  for (let depth = 0; depth < maxDepth && frontier.length > 0 && !truncated; depth++) {
    const next: { nodeId: string; path: string }[] = [];
    for (const part of chunk(frontier, browseSize)) {
      if (opts.signal?.aborted) throw new Error('browse aborted');
      browseCalls++;
      const results = await browseAll(
        session,
        part.map((p) => ({
          nodeId: p.nodeId,
          browseDirection: BrowseDirection.Forward,
          referenceTypeId: `i=${ReferenceTypeIds.HierarchicalReferences}`,
          includeSubtypes: true,
          nodeClassMask: NodeClass.Object | NodeClass.Variable,
          resultMask: 0x3f,
        })),
      );
      results.forEach((r, i) => {
        const parent = part[i];
        if (parent === undefined) return;
        for (const ref of r.references ?? []) {
          const id = ref.nodeId.toString();
          if (seen.has(id)) continue;
          seen.add(id);
          if (!opts.includeServer && id === SERVER_OBJECT) continue;
          const name = ref.browseName.name ?? id;
          const path = parent.path === '' ? name : `${parent.path}/${name}`;
          if (ref.nodeClass === NodeClass.Variable) {
            if (filter === undefined || filter.test(path)) found.push({ nodeId: id, path });
            if (found.length >= maxVariables) truncated = true;
          }
          // variables can have child variables (properties, analog item ranges): walk both
          next.push({ nodeId: id, path });
        }
      });
      if (truncated) break;
    }
    frontier = next;
  }
  const variables = await describe(session, found.slice(0, maxVariables), readSize);
  return { variables, truncated, browseCalls };
}

async function describe(
  session: ClientSession,
  nodes: readonly { nodeId: string; path: string }[],
  readSize: number,
): Promise<BrowsedVariable[]> {
  const out: BrowsedVariable[] = [];
  const attrs = [AttributeIds.DataType, AttributeIds.ValueRank, AttributeIds.UserAccessLevel];
  const customTypes = new Map<string, string>();
  const perCall = Math.max(1, Math.floor(readSize / attrs.length));
  for (const part of chunk(nodes, perCall)) {
    const dvs = await session.read(
      part.flatMap((n) => attrs.map((attributeId) => ({ nodeId: n.nodeId, attributeId }))),
    );
    part.forEach((n, i) => {
      const [dt, rank, access] = [dvs[i * 3], dvs[i * 3 + 1], dvs[i * 3 + 2]];
      const accessBits = numberOf(access) ?? 0;
      out.push({
        nodeId: n.nodeId,
        path: n.path,
        dataType: dataTypeName(dt, customTypes),
        valueRank: numberOf(rank) ?? -1,
        readable: (accessBits & 1) !== 0,
        writable: (accessBits & 2) !== 0,
      });
    });
  }
  // structure and enumeration data types: look their names up once each
  const unknown = [
    ...new Set(
      out.filter((v) => v.dataType.startsWith('ns=') || v.dataType.startsWith('i=')).map((v) => v.dataType),
    ),
  ];
  for (const part of chunk(unknown, readSize)) {
    const names = await session.read(
      part.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName })),
    );
    part.forEach((id, i) => {
      const v = names[i]?.value.value as { name?: string } | null | undefined;
      if (v?.name) customTypes.set(id, v.name);
    });
  }
  for (const v of out) v.dataType = customTypes.get(v.dataType) ?? v.dataType;
  return out;
}

function dataTypeName(dv: DataValue | undefined, _custom: Map<string, string>): string {
  const id = dv?.value.value as
    | { namespace?: number; value?: unknown; toString(): string }
    | null
    | undefined;
  if (id === null || id === undefined) return 'Unknown';
  if (id.namespace === 0 && typeof id.value === 'number') return builtinTypeName(id.value) ?? id.toString();
  return id.toString();
}

function numberOf(dv: DataValue | undefined): number | undefined {
  const v = dv?.value.value as unknown;
  return typeof v === 'number' ? v : undefined;
}

/** `*` = any characters within one path segment, `**` = across segments, `?` = one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') {
      if (glob.charAt(i + 1) === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
