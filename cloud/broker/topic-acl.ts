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
