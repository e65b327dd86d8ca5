import { describe, expect, it } from 'vitest';
import { sharedSubscriptions } from '../../../cloud/ingest/shared-subscriptions.js';

describe('sharedSubscriptions', () => {
  it('leaves the filters alone without a group', () => {
    expect(sharedSubscriptions(['spBv1.0/#'], undefined)).toEqual(['spBv1.0/#']);
  });

  it('sends births, deaths and STATE to every instance and shares the data', () => {
    const subs = sharedSubscriptions(['spBv1.0/#'], 'ingest');
    expect(subs).toEqual([
      'spBv1.0/+/NBIRTH/#',
      'spBv1.0/+/NDEATH/#',
      'spBv1.0/+/DBIRTH/#',
      'spBv1.0/+/DDEATH/#',
      'spBv1.0/STATE/#',
      '$share/ingest/spBv1.0/+/NDATA/#',
      '$share/ingest/spBv1.0/+/DDATA/#',
    ]);
  });

  it('shares other namespaces (JSON) whole', () => {
    expect(sharedSubscriptions(['plantpulse/v1/#'], 'g')).toEqual(['$share/g/plantpulse/v1/#']);
  });
});
