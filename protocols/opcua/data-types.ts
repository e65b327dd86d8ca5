/**
 * OPC UA built-in data types (Part 6 §5.1.2) and how each becomes a MetricKind. Pure: numeric ids, no node-opcua.
 */
import { METRIC_KINDS, type MetricKind } from '../metric.js';

export const BuiltinType = {
  Null: 0,
  Boolean: 1,
  SByte: 2,
  Byte: 3,
  Int16: 4,
  UInt16: 5,
  Int32: 6,
  UInt32: 7,
  Int64: 8,
  UInt64: 9,
  Float: 10,
  Double: 11,
  String: 12,
  DateTime: 13,
  Guid: 14,
  ByteString: 15,
  XmlElement: 16,
  NodeId: 17,
  ExpandedNodeId: 18,
  StatusCode: 19,
  QualifiedName: 20,
  LocalizedText: 21,
  ExtensionObject: 22,
  DataValue: 23,
  Variant: 24,
  DiagnosticInfo: 25,
} as const;
export type BuiltinTypeName = keyof typeof BuiltinType;

const NAME_BY_ID: readonly BuiltinTypeName[] = Object.keys(BuiltinType) as BuiltinTypeName[];

export function builtinTypeName(id: number): BuiltinTypeName | undefined {
  return NAME_BY_ID[id];
}

export function builtinTypeId(name: string): number | undefined {
  return (BuiltinType as Record<string, number>)[name];
}

/**
 * The metric kind a scalar of this built-in type becomes. Everything without a numeric or boolean meaning
 * (Guid, NodeId, QualifiedName, LocalizedText, ByteString as base64, XmlElement) becomes a string;
 * DateTime becomes epoch milliseconds; StatusCode its 32-bit value.
 */
export const KIND_OF_BUILTIN: Readonly<Record<BuiltinTypeName, MetricKind>> = {
  Null: 'string',
  Boolean: 'boolean',
  SByte: 'int8',
  Byte: 'uint8',
  Int16: 'int16',
  UInt16: 'uint16',
  Int32: 'int32',
  UInt32: 'uint32',
  Int64: 'int64',
  UInt64: 'uint64',
  Float: 'float',
  Double: 'double',
  String: 'string',
  DateTime: 'datetime',
  Guid: 'string',
  ByteString: 'string',
  XmlElement: 'string',
  NodeId: 'string',
  ExpandedNodeId: 'string',
  StatusCode: 'uint32',
  QualifiedName: 'string',
  LocalizedText: 'string',
  ExtensionObject: 'string',
  DataValue: 'string',
  Variant: 'string',
  DiagnosticInfo: 'string',
};

export function kindOfBuiltin(id: number): MetricKind {
  const name = builtinTypeName(id);
  return name === undefined ? 'string' : KIND_OF_BUILTIN[name];
}

/**
 * Kinds a config may state up front (`type:` on a subscribe/read item) so births are exact before connect.
 * Accepts both MetricKind spellings (`double`) and OPC UA names (`Double`).
 */
export function kindOfTypeName(name: string): MetricKind | undefined {
  const id = builtinTypeId(name);
  if (id !== undefined) return kindOfBuiltin(id);
  return (METRIC_KINDS as readonly string[]).includes(name) ? (name as MetricKind) : undefined;
}
