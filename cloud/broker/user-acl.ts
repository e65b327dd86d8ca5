import { type BrokerUser, DEFAULT_ACL } from '../../config/schemas/broker.js';
import {
  type AclIdentity,
  clientIdMatches,
  expandPattern,
  filterCovers,
  stripShare,
  topicMatches,
} from './topic-acl.js';

/** Only a host application publishes its STATE: no pattern of a gateway can grant it. */
export const STATE_PREFIX = 'spBv1.0/STATE/';

/** A broker user with its role and lists resolved (the config's, or the role's defaults). */
export interface UserAcl {
  username: string;
  role: 'gateway' | 'host';
  publish: readonly string[];
  subscribe: readonly string[];
  clientIds: readonly string[];
}

export function resolveUserAcl(u: BrokerUser, hostUsers: readonly string[]): UserAcl {
  const role = u.role ?? (hostUsers.includes(u.username) ? 'host' : 'gateway');
  const d = DEFAULT_ACL[role];
  return {
    username: u.username,
    role,
    publish: u.publish ?? d.publish,
    subscribe: u.subscribe ?? d.subscribe,
    clientIds: u.clientIds ?? d.clientIds,
  };
}

/** Why `acl` may not publish to `topic` (undefined: it may). */
export function publishRefusal(acl: UserAcl, id: AclIdentity, topic: string): string | undefined {
  if (topic.startsWith('$')) return `${topic.split('/')[0]} is reserved`;
  if (topic.startsWith(STATE_PREFIX) && acl.role !== 'host')
    return 'only a host application may publish STATE';
  const allowed = acl.publish.some((p) => {
    const f = expandPattern(p, id);
    return f !== undefined && topicMatches(f, topic);
  });
  return allowed ? undefined : 'topic not allowed for this user';
}

/** Why `acl` may not subscribe to `filter` (undefined: it may); `$share/{group}/` is checked as its filter. */
export function subscribeRefusal(acl: UserAcl, id: AclIdentity, filter: string): string | undefined {
  const f = stripShare(filter);
  const allowed = acl.subscribe.some((p) => {
    const a = expandPattern(p, id);
    return a !== undefined && filterCovers(a, f);
  });
  return allowed ? undefined : 'filter not allowed for this user';
}

/** Whether `acl` may connect with `clientId`. */
export function clientIdAllowed(acl: UserAcl, clientId: string): boolean {
  return acl.clientIds.some((p) => clientIdMatches(p, clientId, acl.username));
}
