import { describe, expect, it } from 'vitest';
import { withEmptyFormExamples } from './docs-document.js';

describe('withEmptyFormExamples', () => {
  it('gives each form field without examples an empty one (a list for arrays), in a copy', () => {
    const form = { schema: { properties: { To: { type: 'string', examples: ['+1555'] }, ValidityPeriod: { type: 'integer' }, MediaUrl: { type: 'array' } } } };
    const json = { schema: { properties: { ValidityPeriod: { type: 'integer' } } } };
    const document = { paths: { '/m': { post: { requestBody: { content: { 'application/x-www-form-urlencoded': form, 'application/json': json } } }, get: {} } } };
    const copy = withEmptyFormExamples(document);
    expect(copy.paths['/m'].post.requestBody.content['application/x-www-form-urlencoded'].schema.properties).toEqual({
      To: { type: 'string', examples: ['+1555'] }, ValidityPeriod: { type: 'integer', examples: [''] }, MediaUrl: { type: 'array', examples: [[]] },
    });
    expect(copy.paths['/m'].post.requestBody.content['application/json']).toEqual(json);
    expect(form.schema.properties.ValidityPeriod).toEqual({ type: 'integer' });
  });
});
