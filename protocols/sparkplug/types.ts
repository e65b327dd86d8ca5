/**
 * Sparkplug B 3.0 payload model (spec chapter 6), as plain TypeScript values.
 *
 * Value representation, chosen so nothing loses precision:
 * - Int8/16/32, UInt8/16/32, Float, Double: `number`
 * - Int64, UInt64: `bigint` (the encoder also accepts an integral `number`)
 * - DateTime: `number`, ms since epoch UTC
 * - Boolean: `boolean`; String, Text, UUID: `string`; Bytes, File: `Uint8Array`
 * - Int8..UInt32/Float/Double/DateTime arrays: `number[]`; Int64/UInt64 arrays: `bigint[]`;
 *   BooleanArray: `boolean[]`; StringArray: `string[]`
 * - DataSet: {@link SpbDataSet}; Template: {@link SpbTemplate}
 * - PropertySet / PropertySetList (property values only): {@link SpbProperty}[] / {@link SpbProperty}[][]
 * - `null` when `is_null` is set or no value was sent.
 *
 * A decoded metric without a datatype (DATA and CMD messages carry only alias + value) keeps the wire form of its
 * value: `int_value` → unsigned `number`, `long_value` → unsigned `bigint`, `bytes_value` → `Uint8Array`.
 * {@link retypeValue} (values.ts) turns that into the typed form once the datatype is known from the birth.
 */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
  Int8Array: 22,
  Int16Array: 23,
  Int32Array: 24,
  Int64Array: 25,
  UInt8Array: 26,
  UInt16Array: 27,
  UInt32Array: 28,
  UInt64Array: 29,
  FloatArray: 30,
  DoubleArray: 31,
  BooleanArray: 32,
  StringArray: 33,
  DateTimeArray: 34,
} as const;
export type DataTypeName = keyof typeof DataType;
export type DataTypeCode = (typeof DataType)[DataTypeName];

const NAMES = new Map<number, DataTypeName>(
  (Object.entries(DataType) as [DataTypeName, number][]).map(([name, code]) => [code, name]),
);
/** `9` → `'Float'`; undefined for codes the spec does not define. */
export function dataTypeName(code: number): DataTypeName | undefined {
  return NAMES.get(code);
}

/** A scalar in a DataSet cell or Template parameter. */
export type SpbScalar = number | bigint | boolean | string;

export type SpbValue =
  | null
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | number[]
  | bigint[]
  | boolean[]
  | string[]
  | SpbDataSet
  | SpbTemplate;

export type SpbPropertyValue = null | number | bigint | boolean | string | SpbProperty[] | SpbProperty[][];

/** One entry of a PropertySet (the wire's parallel `keys`/`values` arrays, zipped). */
export interface SpbProperty {
  key: string;
  /** a DataType code; PropertySet (20) and PropertySetList (21) nest */
  type: number;
  value: SpbPropertyValue;
}

export interface SpbDataSet {
  columns: string[];
  /** DataType code per column */
  types: number[];
  rows: (SpbScalar | null)[][];
}

export interface SpbTemplateParameter {
  name: string;
  type: number;
  value: SpbScalar | null;
}

export interface SpbTemplate {
  version?: string;
  templateRef?: string;
  isDefinition?: boolean;
  metrics: SpbMetric[];
  parameters: SpbTemplateParameter[];
}

export interface SpbMetaData {
  isMultiPart?: boolean;
  contentType?: string;
  size?: bigint;
  seq?: bigint;
  fileName?: string;
  fileType?: string;
  md5?: string;
  description?: string;
}

export interface SpbMetric {
  name?: string;
  alias?: bigint;
  /** ms since epoch, UTC */
  timestamp?: number;
  /** DataType code. Required to encode a value; when `sendDatatype` is false it is used but not put on the wire. */
  datatype?: number;
  /** Encode only: false leaves the datatype off the wire (DATA messages: the host knows it from the birth). */
  sendDatatype?: boolean;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  metadata?: SpbMetaData;
  properties?: SpbProperty[];
  value: SpbValue;
}

export interface SpbPayload {
  /** ms since epoch, UTC: publish time */
  timestamp?: number;
  metrics: SpbMetric[];
  /** 0-255; absent in NDEATH, NCMD, DCMD */
  seq?: number;
  uuid?: string;
  body?: Uint8Array;
}
