/**
 * Builds the simulator's address space from machine models: `Objects/<Machine>/<Group>/<Variable>` with string node
 * ids `ns=2;s=<Machine>.<Group>.<Variable>`, EURange on analog values (so percent deadbands work) and the
 * engineering unit. Optional `Bulk` folder with N static Double variables for scale tests.
 */
import {
  AccessLevelFlag,
  type AddressSpace,
  DataType,
  getStatusCodeFromCode,
  makeAccessLevelFlag,
  makeEUInformation,
  type Namespace,
  StatusCodes,
  type UAObject,
  type UAVariable,
  Variant,
} from 'node-opcua';
import type { MachineModel, ModelVariable } from './models/machine-model.js';
import { dataTypeOf, toVariant } from './sim-variant.js';

export const SIM_NAMESPACE_URI = 'urn:plantpulse:simulator';

export interface BoundVariable {
  readonly model: MachineModel;
  readonly spec: ModelVariable;
  readonly node: UAVariable;
  /** a status forced by `set(…, { status })`, until the next set */
  forcedStatus: number | undefined;
  /** last value pushed, to publish changes only */
  last: unknown;
}

export interface BuiltAddressSpace {
  bound: Map<string, BoundVariable>;
  bulk: UAVariable[];
}

export function buildAddressSpace(
  addressSpace: AddressSpace,
  models: readonly MachineModel[],
  bulkVariables: number,
): BuiltAddressSpace {
  const namespace = addressSpace.registerNamespace(SIM_NAMESPACE_URI);
  const objects = addressSpace.rootFolder.objects;
  const bound = new Map<string, BoundVariable>();
  for (const model of models) {
    const machine = namespace.addObject({
      organizedBy: objects,
      browseName: model.name,
      nodeId: `s=${model.name}`,
    });
    const parents = new Map<string, UAObject>([['', machine]]);
    for (const spec of model.variables) {
      const segments = spec.path.split('.');
      const leaf = segments.pop() ?? spec.path;
      const parent = ensureParents(namespace, parents, model.name, segments);
      const node = addVariable(namespace, parent, `${model.name}.${spec.path}`, leaf, spec);
      const b: BoundVariable = { model, spec, node, forcedStatus: undefined, last: undefined };
      if (spec.writable) {
        node.on('value_changed', (dv) => {
          const v = dv.value.value as unknown;
          if (dv.statusCode.value === 0 && keyOf(v) !== b.last) {
            b.last = keyOf(v);
            model.set(spec.path, v as never);
          }
        });
      }
      bound.set(`${model.name}.${spec.path}`, b);
    }
  }
  const bulk = bulkVariables > 0 ? addBulk(namespace, objects, bulkVariables) : [];
  return { bound, bulk };
}

function ensureParents(
  namespace: Namespace,
  parents: Map<string, UAObject>,
  machine: string,
  segments: readonly string[],
): UAObject {
  let key = '';
  let parent = parents.get('');
  if (parent === undefined) throw new Error('machine object missing');
  for (const seg of segments) {
    key = key === '' ? seg : `${key}.${seg}`;
    let next = parents.get(key);
    if (next === undefined) {
      next = namespace.addObject({ componentOf: parent, browseName: seg, nodeId: `s=${machine}.${key}` });
      parents.set(key, next);
    }
    parent = next;
  }
  return parent;
}

function addVariable(
  namespace: Namespace,
  parent: UAObject,
  id: string,
  browseName: string,
  spec: ModelVariable,
): UAVariable {
  const accessLevel = makeAccessLevelFlag(
    spec.writable ? AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite : AccessLevelFlag.CurrentRead,
  );
  const common = {
    componentOf: parent,
    browseName,
    nodeId: `s=${id}`,
    description: spec.description,
    accessLevel,
    userAccessLevel: accessLevel,
    // 0: changes are reported as they happen (exception-based) when a client asks for samplingInterval 0
    minimumSamplingInterval: 0,
  };
  if (spec.range !== undefined && !spec.array) {
    return namespace.addAnalogDataItem({
      ...common,
      dataType: dataTypeOf(spec),
      engineeringUnitsRange: spec.range,
      ...(spec.unit === undefined
        ? {}
        : { engineeringUnits: makeEUInformation(spec.unit, spec.unit, spec.unit) }),
    }) as unknown as UAVariable;
  }
  return namespace.addVariable({
    ...common,
    dataType: spec.dataType === 'Range' ? 'Range' : DataType[dataTypeOf(spec)],
    valueRank: spec.array ? 1 : -1,
    ...(spec.array ? { arrayDimensions: [0] } : {}),
  });
}

function addBulk(namespace: Namespace, objects: UAObject, count: number): UAVariable[] {
  const nodes: UAVariable[] = [];
  const folder = namespace.addFolder(objects, { browseName: 'Bulk', nodeId: 's=Bulk' });
  const width = String(count - 1).length;
  for (let i = 0; i < count; i++) {
    const name = `V${String(i).padStart(width, '0')}`;
    const node = namespace.addVariable({
      componentOf: folder,
      browseName: name,
      nodeId: `s=Bulk.${name}`,
      dataType: 'Double',
      minimumSamplingInterval: 100,
    });
    node.setValueFromSource(new Variant({ dataType: DataType.Double, value: i }), StatusCodes.Good);
    nodes.push(node);
  }
  return nodes;
}

/** Gives every bulk variable a new value (benchmarks: `bulkUpdateMs`). */
export function churnBulk(bulk: readonly UAVariable[], round: number, now: Date): void {
  for (let i = 0; i < bulk.length; i++) {
    bulk[i]?.setValueFromSource(
      new Variant({ dataType: DataType.Double, value: i + round }),
      StatusCodes.Good,
      now,
    );
  }
}

/** Pushes the model's current value of a bound variable when it changed (or a status is forced). */
export function publish(b: BoundVariable, now: Date, force = false): void {
  const value = b.model.get(b.spec.path);
  const key = keyOf(value);
  if (!force && key === b.last && b.forcedStatus === undefined) return;
  b.last = key;
  if (b.forcedStatus !== undefined && b.forcedStatus >>> 30 >= 2) {
    // a Bad status carries no value (Part 4 §7.7)
    b.node.setValueFromSource(new Variant({ dataType: DataType.Null }), statusOf(b.forcedStatus), now);
    return;
  }
  b.node.setValueFromSource(toVariant(b.spec, value), statusOf(b.forcedStatus ?? 0), now);
}

function statusOf(code: number) {
  return code === 0 ? StatusCodes.Good : getStatusCodeFromCode(code >>> 0);
}

function keyOf(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (Array.isArray(v) || (v !== null && typeof v === 'object'))
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return v;
}
