import { describe, expect, test } from 'vitest';
import { parseTopic, SparkplugTopicError, topicFor } from '../../../protocols/sparkplug/index.js';

describe('Sparkplug topic namespace', () => {
  test.each([
    ['spBv1.0/cq-plant1/NBIRTH/line3-gw', { type: 'NBIRTH', group: 'cq-plant1', node: 'line3-gw' }],
    ['spBv1.0/g/NDATA/n', { type: 'NDATA', group: 'g', node: 'n' }],
    ['spBv1.0/g/NDEATH/n', { type: 'NDEATH', group: 'g', node: 'n' }],
    ['spBv1.0/g/NCMD/n', { type: 'NCMD', group: 'g', node: 'n' }],
    ['spBv1.0/g/DBIRTH/n/press-07', { type: 'DBIRTH', group: 'g', node: 'n', device: 'press-07' }],
    ['spBv1.0/g/DDATA/n/d', { type: 'DDATA', group: 'g', node: 'n', device: 'd' }],
    ['spBv1.0/g/DDEATH/n/d', { type: 'DDEATH', group: 'g', node: 'n', device: 'd' }],
    ['spBv1.0/g/DCMD/n/d', { type: 'DCMD', group: 'g', node: 'n', device: 'd' }],
    ['spBv1.0/STATE/plantpulse-cloud', { type: 'STATE', hostId: 'plantpulse-cloud' }],
  ])('%s parses and prints back', (topic, parsed) => {
    expect(parseTopic(topic)).toEqual(parsed);
    expect(topicFor(parsed as Parameters<typeof topicFor>[0])).toBe(topic);
  });

  test.each([
    'spBv1.0/g/NBIRTH/n/extra',
    'spBv1.0/g/DBIRTH/n',
    'spBv1.0/g/NDATA/',
    'spBv1.0//NDATA/n',
    'spBv1.0/g/BOGUS/n',
    'spAv1.0/g/NDATA/n',
    'STATE/host',
    'spBv1.0/STATE',
    'spBv1.0/STATE/a/b',
    'plantpulse/v1/s/n/d',
    '',
  ])('%j is a typed topic error, not an exception', (topic) => {
    const r = parseTopic(topic);
    expect(r).toBeInstanceOf(SparkplugTopicError);
    expect((r as SparkplugTopicError).code).toBe('SPB_TOPIC');
  });
});
