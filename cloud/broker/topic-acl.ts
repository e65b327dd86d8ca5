/**
 * MQTT topic-filter matching for the broker's per-user ACLs. A user's allowed filters are MQTT filters (`+`, `#`);
 * a publish topic must match one of them; a subscription filter must be *covered* by one of them.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === '#') return true;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic that `sub` matches is also matched by `allowed`. */
export function filterCovers(allowed: string, sub: string): boolean {
  const a = allowed.split('/');
  const s = sub.split('/');
  for (let i = 0; i < a.length; i++) {
    const part = a[i];
    if (part === '#') return true;
    if (i >= s.length) return false;
    const sp = s[i];
    if (sp === '#') return false;
    if (part === '+') continue;
    if (sp === '+' || part !== sp) return false;
  }
  return a.length === s.length;
}

/** `$share/{group}/{filter}` → the filter itself, for ACL checks. */
export function stripShare(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(slash + 1);
}

/** The values a pattern's placeholders take for one client. */
export interface AclIdentity {
  username: string;
  clientId: string;
}

const PLACEHOLDER = /\{(username|clientid)\}/g;

/**
 * A pattern with `{username}`/`{clientid}` replaced, or undefined when a value could widen the pattern (it holds
 * `/`, `+` or `#`, or is empty): such a client matches nothing, as with Mosquitto's `%u`/`%c`.
 */
export function expandPattern(pattern: string, id: AclIdentity): string | undefined {
  let unsafe = false;
  const out = pattern.replace(PLACEHOLDER, (_m, name: string) => {
    const v = name === 'username' ? id.username : id.clientId;
    if (v === '' || /[/+#]/.test(v)) unsafe = true;
    return v;
  });
  return unsafe ? undefined : out;
}

/** Why a topic pattern is malformed (for config checks), or undefined. */
export function checkTopicPattern(pattern: string): string | undefined {
  const rest = pattern.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(rest)) return 'only {username} and {clientid} may appear in braces';
  const levels = rest.split('/');
  for (const [i, l] of levels.entries()) {
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return '# must be a whole last level';
    if (l.includes('+') && l !== '+') return '+ must be a whole level';
  }
  return undefined;
}

/** A client-id pattern: `*` matches any run of characters, `{username}` is replaced; the rest is literal. */
export function clientIdMatches(pattern: string, clientId: string, username: string): boolean {
  const re = pattern
    .split('*')
    .map((p) => p.replaceAll('{username}', username).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 's').test(clientId);
}
