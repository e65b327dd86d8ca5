/**
 * The peer's job as a Node-RED flow, built programmatically: per simulated device a modbus-client (TCP), modbus-read
 * nodes of ≤ 125 holding registers each, a function node turning the register array into
 * `[fields, { device }]`, and an `influxdb out` node writing measurement `telemetry` to the same InfluxDB (1.x).
 * Node types of node-red-contrib-modbus 5.23.3 and node-red-contrib-influxdb.
 */
export interface PeerJob {
  devices: { id: string; host: string; port: number }[];
  registers: number;
  everyS: number;
  influx: { host: string; port: number; database: string };
}

export function nodeRedFlow(job: PeerJob): Record<string, unknown>[] {
  const nodes: Record<string, unknown>[] = [{ id: 'tab1', type: 'tab', label: 'plantpulse bench peer' }];
  nodes.push({
    id: 'influxcfg',
    type: 'influxdb',
    hostname: job.influx.host,
    port: String(job.influx.port),
    protocol: 'http',
    database: job.influx.database,
    name: 'bench',
    usetls: false,
    influxdbVersion: '1.x',
    url: `http://${job.influx.host}:${job.influx.port}`,
    rejectUnauthorized: false,
  });
  job.devices.forEach((d, i) => {
    const client = `client${i}`;
    nodes.push({
      id: client,
      type: 'modbus-client',
      name: d.id,
      clienttype: 'tcp',
      bufferCommands: true,
      stateLogEnabled: false,
      queueLogEnabled: false,
      failureLogEnabled: false,
      tcpHost: d.host,
      tcpPort: String(d.port),
      tcpType: 'DEFAULT',
      unit_id: 1,
      commandDelay: 1,
      clientTimeout: 5000,
      reconnectOnTimeout: true,
      reconnectTimeout: 2000,
      parallelUnitIdsAllowed: true,
    });
    const out = `out${i}`;
    nodes.push({
      id: out,
      type: 'influxdb out',
      z: 'tab1',
      influxdb: 'influxcfg',
      name: '',
      measurement: 'telemetry',
      precision: 'ms',
      retentionPolicy: '',
      database: job.influx.database,
      wires: [],
    });
    for (let adr = 0, k = 0; adr < job.registers; adr += 125, k++) {
      const quantity = Math.min(125, job.registers - adr);
      const fn = `fn${i}_${k}`;
      nodes.push({
        id: `read${i}_${k}`,
        type: 'modbus-read',
        z: 'tab1',
        name: '',
        topic: '',
        showStatusActivities: false,
        logIOActivities: false,
        showErrors: false,
        unitid: '1',
        dataType: 'HoldingRegister',
        adr: String(adr),
        quantity: String(quantity),
        rate: String(job.everyS),
        rateUnit: 's',
        delayOnStart: false,
        startDelayTime: '',
        server: client,
        useIOFile: false,
        ioFile: '',
        useIOForPayload: false,
        emptyMsgOnFail: false,
        wires: [[fn], []],
      });
      nodes.push({
        id: fn,
        type: 'function',
        z: 'tab1',
        name: '',
        func: [
          'const fields = {};',
          `msg.payload.forEach((v, j) => { fields['r' + (${adr} + j)] = v; });`,
          `msg.payload = [fields, { device: ${JSON.stringify(d.id)} }];`,
          'return msg;',
        ].join('\n'),
        outputs: 1,
        wires: [[out]],
      });
    }
  });
  return nodes;
}

export function nodeRedSettings(o: { port: number; userDir: string; flowFile: string }): string {
  return `module.exports = ${JSON.stringify(
    {
      uiHost: '127.0.0.1',
      uiPort: o.port,
      userDir: o.userDir,
      flowFile: o.flowFile,
      credentialSecret: false,
      httpAdminRoot: false,
      httpNodeRoot: false,
      logging: { console: { level: 'info', metrics: false, audit: false } },
      editorTheme: { tours: false },
      telemetry: { enabled: false },
    },
    null,
    2,
  )};\n`;
}
