/**
 * The pattern rules behind the broker's ACL: placeholders are replaced by the client's own username and client id,
 * a value that could widen a pattern (`+`, `#`, `/`) matches nothing, only a host publishes STATE, and the role
 * defaults scope a gateway to its own node.
 */
import { describe, expect, it } from 'vitest';
import { clientIdMatches, expandPattern } from '../../cloud/broker/topic-acl.js';
import { publishRefusal, resolveUserAcl, subscribeRefusal } from '../../cloud/broker/user-acl.js';
import type { BrokerUser } from '../../config/schemas/broker.js';

const user = (u: Partial<BrokerUser> & { username: string }): BrokerUser => u as BrokerUser;

describe('broker ACL patterns', () => {
  it('replaces placeholders, and refuses values that would widen the pattern', () => {
    expect(expandPattern('spBv1.0/+/+/{username}', { username: 'gw1', clientId: 'c' })).toBe(
      'spBv1.0/+/+/gw1',
    );
    expect(expandPattern('x/{clientid}/#', { username: 'gw1', clientId: 'c-1' })).toBe('x/c-1/#');
    for (const bad of ['#', '+', 'a/b', '']) {
      expect(expandPattern('spBv1.0/+/+/{username}', { username: bad, clientId: 'c' })).toBeUndefined();
    }
  });

  it('gives a gateway without lists its own node only, and never STATE', () => {
    const gw = resolveUserAcl(user({ username: 'gw1' }), ['ingest']);
    const id = { username: 'gw1', clientId: 'plantpulse-p1-gw1' };
    expect(publishRefusal(gw, id, 'spBv1.0/p1/NBIRTH/gw1')).toBeUndefined();
    expect(publishRefusal(gw, id, 'spBv1.0/p1/DDATA/gw1/press')).toBeUndefined();
    expect(publishRefusal(gw, id, 'plantpulse/v1/p1/gw1/press')).toBeUndefined();
    expect(publishRefusal(gw, id, 'spBv1.0/p1/NDEATH/gw2')).toBe('topic not allowed for this user');
    expect(publishRefusal(gw, id, 'spBv1.0/STATE/host')).toBe('only a host application may publish STATE');
    expect(publishRefusal(gw, id, '$SYS/x')).toBe('$SYS is reserved');
    expect(subscribeRefusal(gw, id, 'spBv1.0/p1/NCMD/gw1')).toBeUndefined();
    expect(subscribeRefusal(gw, id, 'spBv1.0/STATE/host')).toBeUndefined();
    expect(subscribeRefusal(gw, id, 'spBv1.0/#')).toBe('filter not allowed for this user');
    expect(subscribeRefusal(gw, id, 'spBv1.0/p1/NCMD/+')).toBe('filter not allowed for this user');
    // even an explicit pattern cannot grant a gateway STATE
    const wide = resolveUserAcl(user({ username: 'gw2', publish: ['spBv1.0/#'] }), []);
    expect(publishRefusal(wide, { username: 'gw2', clientId: 'x' }, 'spBv1.0/STATE/h')).toBe(
      'only a host application may publish STATE',
    );
  });

  it('makes the ingester’s user a host that reads everything and publishes STATE', () => {
    const host = resolveUserAcl(user({ username: 'ingest' }), ['ingest']);
    const id = { username: 'ingest', clientId: 'ingest-1' };
    expect(host.role).toBe('host');
    expect(publishRefusal(host, id, 'spBv1.0/STATE/plantpulse-cloud')).toBeUndefined();
    expect(subscribeRefusal(host, id, '$share/g/spBv1.0/+/DDATA/#')).toBeUndefined();
    expect(publishRefusal(host, id, 'spBv1.0/p1/NDATA/gw1')).toBe('topic not allowed for this user');
  });

  it('matches client-id patterns literally except for *', () => {
    expect(clientIdMatches('plantpulse-*-{username}', 'plantpulse-p1-gw1', 'gw1')).toBe(true);
    expect(clientIdMatches('plantpulse-*-{username}', 'plantpulse-p1-gw2', 'gw1')).toBe(false);
    expect(clientIdMatches('a.b', 'axb', 'u')).toBe(false);
    expect(clientIdMatches('{username}', 'x', '*')).toBe(false); // a username's * is literal
  });
});
