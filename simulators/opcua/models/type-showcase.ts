/**
 * A "machine" exposing one variable per OPC UA built-in type, arrays and a structure: the acquisition tests and
 * `plantpulse browse` demos use it to check every type end to end. Values change a little on every step so
 * subscriptions see updates.
 */
import { type MachineModel, type ModelFactory, type ModelVariable, ValueTable } from './machine-model.js';

const VARIABLES: readonly ModelVariable[] = [
  { path: 'Boolean', dataType: 'Boolean', description: 'Boolean' },
  { path: 'SByte', dataType: 'SByte', description: 'SByte' },
  { path: 'Byte', dataType: 'Byte', description: 'Byte' },
  { path: 'Int16', dataType: 'Int16', description: 'Int16' },
  { path: 'UInt16', dataType: 'UInt16', description: 'UInt16' },
  { path: 'Int32', dataType: 'Int32', description: 'Int32' },
  { path: 'UInt32', dataType: 'UInt32', description: 'UInt32' },
  { path: 'Int64', dataType: 'Int64', description: 'Int64' },
  { path: 'UInt64', dataType: 'UInt64', description: 'UInt64' },
  { path: 'Float', dataType: 'Float', description: 'Float' },
  { path: 'Double', dataType: 'Double', description: 'Double', range: { low: 0, high: 100 } },
  { path: 'String', dataType: 'String', description: 'String' },
  { path: 'DateTime', dataType: 'DateTime', description: 'DateTime' },
  { path: 'Guid', dataType: 'Guid', description: 'Guid' },
  { path: 'ByteString', dataType: 'ByteString', description: 'ByteString' },
  { path: 'XmlElement', dataType: 'XmlElement', description: 'XmlElement' },
  { path: 'NodeId', dataType: 'NodeId', description: 'NodeId' },
  { path: 'ExpandedNodeId', dataType: 'ExpandedNodeId', description: 'ExpandedNodeId' },
  { path: 'StatusCode', dataType: 'StatusCode', description: 'StatusCode' },
  { path: 'QualifiedName', dataType: 'QualifiedName', description: 'QualifiedName' },
  { path: 'LocalizedText', dataType: 'LocalizedText', description: 'LocalizedText' },
  { path: 'Range', dataType: 'Range', description: 'a standard structure (ExtensionObject)' },
  { path: 'DoubleArray', dataType: 'Double', array: true, description: 'array of Double' },
  { path: 'Int32Array', dataType: 'Int32', array: true, description: 'array of Int32' },
  { path: 'StringArray', dataType: 'String', array: true, description: 'array of String' },
  { path: 'BooleanArray', dataType: 'Boolean', array: true, description: 'array of Boolean' },
];

export const TYPE_SHOWCASE_DATE = new Date('2026-01-02T03:04:05.678Z');

export const createTypeShowcaseModel: ModelFactory = (options) => {
  const values = new ValueTable({
    Boolean: true,
    SByte: -8,
    Byte: 200,
    Int16: -1600,
    UInt16: 60000,
    Int32: -2_000_000_000,
    UInt32: 4_000_000_000,
    Int64: -9_007_199_254_740_993n,
    UInt64: 18_000_000_000_000_000_000n,
    Float: 1.5,
    Double: 42.25,
    String: 'hello 世界',
    DateTime: TYPE_SHOWCASE_DATE,
    Guid: '72962B91-FA75-4AE6-8D28-B404DC7DAF63',
    ByteString: new Uint8Array([1, 2, 3, 250]),
    XmlElement: '<a>1</a>',
    NodeId: 'ns=2;s=CNC01.Spindle.Speed',
    ExpandedNodeId: 'ns=2;i=1234',
    StatusCode: 0x80340000,
    QualifiedName: 'Spindle',
    LocalizedText: 'Spindelgeschwindigkeit',
    Range: { low: -10, high: 110 },
    DoubleArray: [1.5, 2.5, 3.5],
    Int32Array: [-1, 0, 1, 2],
    StringArray: ['a', 'b'],
    BooleanArray: [true, false],
  });
  let t = 0;
  const model: MachineModel = {
    kind: 'types',
    name: options.name ?? 'Types',
    variables: VARIABLES,
    get: (path) => values.get(path),
    set: (path, value) => values.set(path, value),
    step(dtMs) {
      t += dtMs;
      values.set('Double', Math.round((50 + 40 * Math.sin(t / 5000)) * 100) / 100);
    },
  };
  return model;
};
