/** A model value → the node-opcua Variant the simulator publishes. */
import {
  coerceExpandedNodeId,
  coerceLocalizedText,
  coerceNodeId,
  coerceQualifiedName,
  DataType,
  getStatusCodeFromCode,
  Range,
  Variant,
  VariantArrayType,
} from 'node-opcua';
import type { ModelVariable, SimValue } from './models/machine-model.js';

export function dataTypeOf(v: ModelVariable): DataType {
  if (v.dataType === 'Range') return DataType.ExtensionObject;
  return DataType[v.dataType];
}

export function toVariant(v: ModelVariable, value: SimValue): Variant {
  const dataType = dataTypeOf(v);
  if (v.array) {
    const items = Array.isArray(value) ? (value as readonly unknown[]) : [];
    return new Variant({
      dataType,
      arrayType: VariantArrayType.Array,
      value: items.map((x) => scalar(v, x as SimValue)),
    });
  }
  return new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: scalar(v, value) });
}

function scalar(v: ModelVariable, value: SimValue): unknown {
  if (value === null) return null;
  switch (v.dataType) {
    case 'Int64':
    case 'UInt64': {
      const b = typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
      const u = BigInt.asUintN(64, b);
      return [Number(u >> 32n), Number(u & 0xffff_ffffn)];
    }
    case 'Range': {
      const r = value as { low: number; high: number };
      return new Range({ low: r.low, high: r.high });
    }
    case 'LocalizedText':
      return coerceLocalizedText(String(value));
    case 'QualifiedName':
      return coerceQualifiedName(String(value));
    case 'NodeId':
      return coerceNodeId(String(value));
    case 'ExpandedNodeId':
      return coerceExpandedNodeId(String(value));
    case 'StatusCode':
      return getStatusCodeFromCode(Number(value) >>> 0);
    case 'ByteString':
      return Buffer.from(value as Uint8Array);
    default:
      return value;
  }
}
