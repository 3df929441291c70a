import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { checkTwimlContentType, interpretTwimlResponse, parseTwiml, TwimlError } from './twiml.js';

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    if (error instanceof TwimlError) return error.code;
    throw error;
  }
  throw new Error('expected a TwimlError');
}

describe('parseTwiml: messages', () => {
  it('reads plain-text messages with attributes, keeping the text exactly', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Message to="+15551234567" from="+15005550006" ' +
      'action="https://example.com/status?a=1&amp;b=2" method="get"> Hi &amp; bye &lt;3 &#x1F600;&#233; </Message>\n</Response>';
    expect(parseTwiml(xml)).toEqual({
      messages: [
        {
          to: '+15551234567',
          from: '+15005550006',
          action: 'https://example.com/status?a=1&b=2',
          method: 'GET',
          body: ' Hi & bye <3 😀é ',
          media: [],
        },
      ],
      warnings: [],
    });
  });

  it('reads nested <Body> and <Media>, and CDATA verbatim', () => {
    const xml =
      '<Response><Message>\n  <Body><![CDATA[a &amp; <b>]]> tail</Body>\n  <Media>https://m.example/1.png</Media>\n</Message></Response>';
    expect(parseTwiml(xml).messages).toEqual([{ body: 'a &amp; <b> tail', media: ['https://m.example/1.png'] }]);
  });

  it("accepts the official SDK's MessagingResponse output", () => {
    const response = new twilio.twiml.MessagingResponse();
    response.message({ to: '+15551234567', statusCallback: 'https://example.com/cb' }, 'One & "two" <three>');
    const second = response.message({}, '');
    second.body('Second');
    second.media('https://example.com/cat.jpg');
    response.redirect({ method: 'GET' }, 'https://example.com/next');
    expect(parseTwiml(response.toString())).toEqual({
      messages: [
        { to: '+15551234567', statusCallback: 'https://example.com/cb', body: 'One & "two" <three>', media: [] },
        { body: 'Second', media: ['https://example.com/cat.jpg'] },
      ],
      redirect: { url: 'https://example.com/next', method: 'GET' },
      warnings: [],
    });
  });

  it('resolves relative URLs against baseUrl', () => {
    const xml = '<Response><Message action="/status"><Body>x</Body><Media>img/1.png</Media></Message><Redirect>next.xml</Redirect></Response>';
    const result = parseTwiml(xml, { baseUrl: 'https://example.com/app/sms?x=1' });
    expect(result.messages[0]).toEqual({ action: 'https://example.com/status', body: 'x', media: ['https://example.com/app/img/1.png'] });
    expect(result.redirect).toEqual({ url: 'https://example.com/app/next.xml', method: 'POST' });
  });

  it('ignores verbs after <Redirect>', () => {
    const xml = '<Response><Message>a</Message><Redirect method="POST">https://e.example/r</Redirect><Message>b</Message></Response>';
    const result = parseTwiml(xml);
    expect(result.messages.map((m) => m.body)).toEqual(['a']);
    expect(result.redirect).toEqual({ url: 'https://e.example/r', method: 'POST' });
  });

  it('treats an empty document or <Response/> as no reply', () => {
    expect(parseTwiml('')).toEqual({ messages: [], warnings: [] });
    expect(parseTwiml('<Response/>')).toEqual({ messages: [], warnings: [] });
    expect(parseTwiml('<?xml version="1.0"?>\n<!-- none -->\n<Response>\n</Response>\n')).toEqual({ messages: [], warnings: [] });
  });
});

describe('parseTwiml: warnings', () => {
  it('skips messages with invalid to/from/body and reports 14101/14102/14103', () => {
    const xml =
      '<Response><Message to="not a number">a</Message><Message from="bad sender!!">b</Message>' +
      '<Message>   </Message><Message from="MyShop">ok</Message></Response>';
    const result = parseTwiml(xml);
    expect(result.messages).toEqual([{ from: 'MyShop', body: 'ok', media: [] }]);
    expect(result.warnings.map((w) => w.code)).toEqual([14101, 14102, 14103]);
  });

  it('drops a bad method (14104) and a bad action/statusCallback (14105) but sends the message', () => {
    const xml = '<Response><Message method="PUT" action="ftp://x" statusCallback="::">hi</Message></Response>';
    const result = parseTwiml(xml);
    expect(result.messages).toEqual([{ body: 'hi', media: [] }]);
    expect(result.warnings.map((w) => w.code)).toEqual([14104, 14105, 14105]);
  });

  it('warns about unknown verbs (14110), attributes and nouns (12200)', () => {
    const xml = '<Response><Say>hello</Say><Message foo="1"><Body>x</Body><Bogus/></Message>stray</Response>';
    const result = parseTwiml(xml);
    expect(result.messages).toEqual([{ body: 'x', media: [] }]);
    expect(result.warnings.map((w) => w.code)).toEqual([14110, 12200, 12200, 12200]);
  });

  it('reports an unusable <Redirect> URL as 11100 and stops', () => {
    const result = parseTwiml('<Response><Redirect> </Redirect><Message>late</Message></Response>');
    expect(result).toEqual({ messages: [], warnings: [{ code: 11100, message: 'Invalid <Redirect> URL ""; processing stopped' }] });
  });
});

describe('parseTwiml: errors', () => {
  it.each([
    ['not XML', 'hello'],
    ['unclosed', '<Response><Message>x</Message>'],
    ['wrong root', '<Reply><Message>x</Message></Reply>'],
    ['lower-case root', '<response/>'],
    ['two roots', '<Response/><Response/>'],
    ['bare ampersand', '<Response><Message>a & b</Message></Response>'],
    ['undefined entity', '<Response><Message>&nbsp;</Message></Response>'],
    ['invalid char reference', '<Response><Message>&#0;</Message></Response>'],
    ['< in attribute', '<Response><Message to="a<b">x</Message></Response>'],
    ['prototype-polluting name', '<Response><__proto__/></Response>'],
  ])('12100 for %s', (_name, xml) => {
    expect(codeOf(() => parseTwiml(xml))).toBe(12100);
  });

  it('never expands DOCTYPE entities', () => {
    const xml = '<!DOCTYPE r [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Response><Message>&lol2;</Message></Response>';
    expect(codeOf(() => parseTwiml(xml))).toBe(12100);
  });

  it('11750 for a body over 64 kB, counted in UTF-8 bytes', () => {
    const fits = `<Response><Message>${'a'.repeat(65536 - 40)}</Message></Response>`;
    expect(parseTwiml(fits).messages).toHaveLength(1);
    const tooBig = `<Response><Message>${'é'.repeat(33000)}</Message></Response>`;
    expect(codeOf(() => parseTwiml(tooBig))).toBe(11750);
  });
});

describe('checkTwimlContentType / interpretTwimlResponse', () => {
  it.each(['text/xml', 'application/xml; charset=utf-8', 'TEXT/HTML;charset=ISO-8859-1'])('accepts %s', (type) => {
    expect(() => checkTwimlContentType(type)).not.toThrow();
  });

  it.each(['application/json', 'text/plain', null, ''])('rejects %s with 12300', (type) => {
    expect(codeOf(() => checkTwimlContentType(type))).toBe(12300);
  });

  it('treats 204 and empty bodies as no reply whatever the Content-Type', () => {
    expect(interpretTwimlResponse({ httpStatus: 204, contentType: null, body: '' })).toEqual({ messages: [], warnings: [] });
    expect(interpretTwimlResponse({ httpStatus: 200, contentType: 'text/plain', body: '  \n' })).toEqual({ messages: [], warnings: [] });
  });

  it('checks the Content-Type of a non-empty body before parsing', () => {
    expect(codeOf(() => interpretTwimlResponse({ httpStatus: 200, contentType: 'application/json', body: '{"a":1}' }))).toBe(12300);
    const result = interpretTwimlResponse({ httpStatus: 200, contentType: 'text/xml', body: '<Response><Message>x</Message></Response>' });
    expect(result.messages).toEqual([{ body: 'x', media: [] }]);
  });
});
