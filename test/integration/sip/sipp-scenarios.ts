// Generators for sipp scenario XML: a UAS answering one request per call, and a UAC sending MESSAGEs the way
// the SMSC does (no From tag, CSeq 2). Every ereg's assign_to is listed in a <Reference>: sipp aborts otherwise.
// By default the UAC's Content-Length is sipp's `[len]`, which counts the CRLF sipp appends to the last body
// line, so the receiver sees `body\r\n`; `exactContentLength` declares the body's own byte count instead (see
// `exactContentLength` below and test/integration/inbound/smsc-scenario.ts).

export interface UasScenarioSpec {
  /** Request to expect; default MESSAGE. */
  method?: string;
  /** Final status to answer; omit for a peer that receives and never answers. */
  status?: number;
  reason?: string;
  /** Send `100 Trying` before the final response. */
  provisional?: boolean;
  /** Exact header lines (`X-SMS-CODING: 2`); checked case-sensitively as whole lines. */
  expectHeaderLines?: string[];
  /** POSIX extended regexes searched in the whole received message. */
  expectRegexes?: string[];
  /** Extra header lines for the final response. */
  responseHeaderLines?: string[];
}

export function uasScenario(spec: UasScenarioSpec): string {
  const checks = [...(spec.expectHeaderLines ?? []).map(headerLineRegex), ...(spec.expectRegexes ?? [])];
  const actions = checks.map(
    (regex, i) => `      <ereg regexp="${xmlAttr(regex)}" search_in="msg" check_it="true" assign_to="check${i}"/>`,
  );
  const response = (status: number, reason: string, extra: string[]): string => `  <send>
    <![CDATA[
      SIP/2.0 ${status} ${reason}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]sipp[call_number]
      [last_Call-ID:]
      [last_CSeq:]
${extra.map((line) => `      ${line}\n`).join('')}      Content-Length: 0

    ]]>
  </send>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<scenario name="uas-${spec.method ?? 'MESSAGE'}">
  <recv request="${spec.method ?? 'MESSAGE'}">
${actions.length > 0 ? `    <action>\n${actions.join('\n')}\n    </action>` : ''}
  </recv>
${spec.provisional ? response(100, 'Trying', []) : ''}
${spec.status === undefined ? '  <pause milliseconds="60000"/>' : response(spec.status, spec.reason ?? 'OK', spec.responseHeaderLines ?? [])}
${checks.length > 0 ? `  <Reference variables="${checks.map((_, i) => `check${i}`).join(',')}"/>` : ''}
</scenario>
`;
}

export interface UacMessageSpec {
  method?: 'MESSAGE' | 'OPTIONS';
  toUser?: string;
  fromUser?: string;
  /** The SMSC sends no From tag; default false. */
  fromTag?: boolean;
  /** The SMSC always sends 2; default 2. */
  cseq?: number;
  headerLines?: string[];
  contentType?: string;
  body?: string;
  /** Final status sipp must get. */
  expectStatus: number;
  /** Require a To tag in the response; default true. */
  expectToTag?: boolean;
  /** Exact header lines the response must carry. */
  expectHeaderLines?: string[];
  /** UDP: first retransmission after this many ms (sipp doubles it); default sipp's T1. */
  retransMs?: number;
  /**
   * Declare the body's exact UTF-8 byte count as Content-Length instead of sipp's `[len]`. Over UDP the receiver
   * drops the CRLF sipp appends past Content-Length (RFC 3261 §18.3), so the body arrives byte for byte.
   */
  exactContentLength?: boolean;
}

/** One call sending the given requests in order (same Call-ID, new branch each), each awaiting its final response. */
export function uacScenario(spec: { messages: UacMessageSpec[] }): string {
  const references: string[] = [];
  const steps = spec.messages.map((message, index) => {
    const method = message.method ?? 'MESSAGE';
    const toUser = message.toUser ?? '14155550100';
    const body = message.body ?? '';
    const checks = [
      ...(message.expectToTag === false ? [] : [{ regex: '^To:.*;tag=[^;>]+', name: `totag${index}` }]),
      ...(message.expectHeaderLines ?? []).map((line, i) => ({ regex: headerLineRegex(line), name: `resp${index}_${i}` })),
    ];
    references.push(...checks.map((check) => check.name));
    const actions = checks.map((check) =>
      check.name.startsWith('totag')
        ? `      <ereg regexp=";tag=[^;>]+" search_in="hdr" header="To:" check_it="true" assign_to="${check.name}"/>`
        : `      <ereg regexp="${xmlAttr(check.regex)}" search_in="msg" check_it="true" assign_to="${check.name}"/>`,
    );
    const lines = [
      `${method} sip:${toUser}@[remote_ip]:[remote_port] SIP/2.0`,
      'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
      `From: <sip:${message.fromUser ?? '447700900123'}@[local_ip]:[local_port]>${message.fromTag ? ';tag=[pid]sipp[call_number]' : ''}`,
      `To: <sip:${toUser}@[remote_ip]:[remote_port]>`,
      'Call-ID: [call_id]',
      `CSeq: ${message.cseq ?? 2} ${method}`,
      'Max-Forwards: 70',
      ...(body !== '' || message.contentType !== undefined ? [`Content-Type: ${message.contentType ?? 'text/plain'}`] : []),
      ...(message.headerLines ?? []),
      `Content-Length: ${message.exactContentLength ? Buffer.byteLength(body, 'utf8') : '[len]'}`,
      '',
      body,
    ];
    const retrans = message.retransMs === undefined ? '' : ` retrans="${message.retransMs}"`;
    return `  <send${retrans}>
    <![CDATA[
${lines.map((line) => `      ${line}`).join('\n')}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="${message.expectStatus}">
${actions.length > 0 ? `    <action>\n${actions.join('\n')}\n    </action>` : ''}
  </recv>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<scenario name="uac">
${steps.join('\n')}
${references.length > 0 ? `  <Reference variables="${references.join(',')}"/>` : ''}
</scenario>
`;
}

/** A whole header line, anchored between line breaks, case-sensitive. */
function headerLineRegex(line: string): string {
  return `[[:cntrl:]]${line.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&')}[[:cntrl:]]`;
}

function xmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
