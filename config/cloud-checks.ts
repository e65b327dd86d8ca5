import type { ConfigIssue } from './errors.js';
import type { KeyPath } from './key-path.js';
import { checkSecretHash } from './password-hash.js';
import type { CloudConfig } from './schemas/cloud.js';
import { toMs } from './schemas/common.js';
import type { SemanticContext } from './semantic-checks.js';

/** Cross-field rules of the cloud config that the schema cannot express. */
export function cloudSemanticChecks(cfg: CloudConfig, ctx?: SemanticContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: KeyPath, message: string) => issues.push({ path, message });

  const users = new Map<string, number>();
  cfg.broker?.users.forEach((u, i) => {
    const at = ['broker', 'users', i];
    const first = users.get(u.username);
    if (first !== undefined)
      add([...at, 'username'], `duplicate user "${u.username}" (also broker.users[${first}])`);
    else users.set(u.username, i);
    if ((u.passwordHash === undefined) === (u.password === undefined)) {
      add(at, 'needs exactly one of passwordHash or password');
    }
    if (u.passwordHash !== undefined) {
      const bad = checkSecretHash(u.passwordHash);
      if (bad) add([...at, 'passwordHash'], bad);
    }
    if (u.password !== undefined) {
      if (u.password === '') add([...at, 'password'], 'must not be empty');
      else if (ctx && !ctx.fromReference([...at, 'password'])) {
        add(
          [...at, 'password'],
          `a plain password must come from a reference (\${env:…}, \${file:…} or \${cred:…}); or use passwordHash`,
        );
      }
    }
  });

  if (cfg.mqtt.url === undefined) {
    if (!cfg.broker) add(['mqtt'], 'needs url, or a broker section to consume from the embedded broker');
    else if (!users.has(cfg.mqtt.username)) {
      add(['mqtt', 'username'], `"${cfg.mqtt.username}" is not one of broker.users, so it cannot log in`);
    }
  }

  const names = new Map<string, number>();
  cfg.api?.tokens?.forEach((t, i) => {
    const at = ['api', 'tokens', i];
    const first = names.get(t.name);
    if (first !== undefined)
      add([...at, 'name'], `duplicate token name "${t.name}" (also api.tokens[${first}])`);
    else names.set(t.name, i);
    const bad = checkSecretHash(t.tokenHash);
    if (bad) add([...at, 'tokenHash'], bad);
  });

  const influx = cfg.influx;
  if ((influx.username === undefined) !== (influx.password === undefined)) {
    add(['influx'], 'username and password go together');
  }
  if (influx.token !== undefined && influx.username !== undefined) {
    add(['influx'], 'use either token or username/password, not both');
  }
  if (influx.flushInterval !== undefined && toMs(influx.flushInterval) < 1) {
    add(['influx', 'flushInterval'], 'must be at least 1ms');
  }
  return issues;
}
