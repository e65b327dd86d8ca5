/**
 * Rules of the cloud config's sections that a schema cannot express. Each is attached to its section
 * (config/spec.ts), so it runs once that section is schema-valid, in `plantpulse check` and at start alike.
 */
import { checkTopicPattern, topicMatches } from '../cloud/broker/topic-acl.js';
import type { ConfigIssue } from './errors.js';
import type { KeyPath } from './key-path.js';
import { checkSecretHash } from './password-hash.js';
import type { ApiConfig } from './schemas/api.js';
import type { EmbeddedBroker } from './schemas/broker.js';
import type { CloudConfig } from './schemas/cloud.js';
import type { InfluxTarget } from './schemas/influx.js';
import type { CheckContext } from './spec.js';

function collector(): { issues: ConfigIssue[]; add: (path: KeyPath, message: string) => void } {
  const issues: ConfigIssue[] = [];
  return { issues, add: (path, message) => issues.push({ path, message }) };
}

export function brokerChecks(broker: EmbeddedBroker, ctx: CheckContext): ConfigIssue[] {
  const { issues, add } = collector();
  const users = new Map<string, number>();
  broker.users.forEach((u, i) => {
    const at = ['users', i];
    const first = users.get(u.username);
    if (first !== undefined)
      add([...at, 'username'], `duplicate user "${u.username}" (also broker.users[${first}])`);
    else users.set(u.username, i);
    if (u.passwordHash !== undefined && u.password !== undefined)
      add(at, 'give passwordHash or password, not both');
    else if (u.passwordHash === undefined && u.password === undefined && !broker.tls?.identityFromCert) {
      add(
        at,
        'needs passwordHash or password (or tls.identityFromCert: the client certificate is the login)',
      );
    }
    for (const list of ['publish', 'subscribe'] as const) {
      u[list]?.forEach((p, j) => {
        const bad = checkTopicPattern(p);
        if (bad) add([...at, list, j], bad);
      });
    }
    if (u.role === 'gateway' && grantsState(u.publish)) {
      add(
        [...at, 'publish'],
        'only a host may publish spBv1.0/STATE/…: a gateway is refused it whatever its patterns',
      );
    }
    if (u.passwordHash !== undefined) {
      const bad = checkSecretHash(u.passwordHash);
      if (bad) add([...at, 'passwordHash'], bad);
    }
    if (u.password !== undefined) {
      if (u.password === '') add([...at, 'password'], 'must not be empty');
      else if (!ctx.fromReference([...at, 'password'])) {
        add(
          [...at, 'password'],
          `a plain password must come from a reference (\${env:…}, \${file:…} or \${cred:…}); or use passwordHash`,
        );
      }
    }
  });
  const tls = broker.tls;
  if (tls?.requireClientCert && tls.ca === undefined) add(['tls', 'ca'], 'requireClientCert needs ca');
  if (tls?.identityFromCert && (!tls.requireClientCert || tls.ca === undefined)) {
    add(
      ['tls', 'identityFromCert'],
      'needs requireClientCert: true and ca (only a verified certificate names a user)',
    );
  }
  if (broker.maxPacketBytes <= broker.maxPayloadBytes) {
    add(
      ['maxPacketBytes'],
      'must be larger than maxPayloadBytes (a packet holds its topic besides the payload)',
    );
  }
  return issues;
}

/** Whether a publish list lets a user publish some STATE topic. */
function grantsState(publish: readonly string[] | undefined): boolean {
  return (publish ?? []).some((p) =>
    topicMatches(p.replace(/\{(username|clientid)\}/g, 'x'), 'spBv1.0/STATE/x'),
  );
}

export function apiChecks(api: ApiConfig): ConfigIssue[] {
  const { issues, add } = collector();
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  api.tokens.forEach((t, i) => {
    const at = ['tokens', i];
    const first = names.get(t.name);
    if (first !== undefined)
      add([...at, 'name'], `duplicate token name "${t.name}" (also api.tokens[${first}])`);
    else names.set(t.name, i);
    const bad = checkSecretHash(t.tokenHash);
    if (bad) add([...at, 'tokenHash'], bad);
    if (t.id !== undefined) {
      const other = ids.get(t.id);
      if (other !== undefined) add([...at, 'id'], `duplicate token id "${t.id}" (also api.tokens[${other}])`);
      else ids.set(t.id, i);
    }
  });
  if (api.tls?.requestCert && api.tls.ca === undefined) {
    add(['tls', 'requestCert'], 'needs tls.ca, the CA that signs the client certificates');
  }
  return issues;
}

export function influxChecks(influx: InfluxTarget): ConfigIssue[] {
  const { issues, add } = collector();
  if ((influx.username === undefined) !== (influx.password === undefined)) {
    add([], 'username and password go together');
  }
  if (influx.token !== undefined && influx.username !== undefined) {
    add([], 'use either token or username/password, not both');
  }
  return issues;
}

/** Across sections: the ingester must be able to reach a broker. */
export function cloudChecks(cfg: CloudConfig): ConfigIssue[] {
  const { issues, add } = collector();
  if (cfg.mqtt.url === undefined) {
    if (!cfg.broker) add(['mqtt'], 'needs url, or a broker section to consume from the embedded broker');
    else if (!cfg.broker.users.some((u) => u.username === cfg.mqtt.username)) {
      add(['mqtt', 'username'], `"${cfg.mqtt.username}" is not one of broker.users, so it cannot log in`);
    }
    cfg.broker?.users.forEach((u, i) => {
      const ingester = u.username === cfg.mqtt.username;
      if (ingester && u.role === 'gateway') {
        add(
          ['broker', 'users', i, 'role'],
          'the ingester’s user is the host application: it must not be a gateway',
        );
      } else if (!ingester && u.role === undefined && grantsState(u.publish)) {
        add(
          ['broker', 'users', i, 'publish'],
          'only a host may publish spBv1.0/STATE/…: set role: host for a host application, or remove the pattern',
        );
      }
    });
  }
  if (cfg.lifecycle && cfg.influx.retentionPolicy !== undefined) {
    add(
      ['influx', 'retentionPolicy'],
      'with lifecycle the ingester chooses the retention policies (telemetry in raw, the rest in the default): remove retentionPolicy',
    );
  }
  return issues;
}
