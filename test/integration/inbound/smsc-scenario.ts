// sipp UAC scenarios that send MESSAGEs exactly as the Restcomm SMSC does (smsc-sip-interface.md §5.1): no From
// tag, CSeq 2, `text/plain` without charset, X-SMS-* headers. Unlike the shared uacScenario, the Content-Length is
// the body's exact byte count: sipp ends the last body line with CRLF, and over UDP the receiver drops bytes past
// Content-Length (RFC 3261 §18.3), so the body that arrives is byte-for-byte what the SMSC would send. sipp also
// strips spaces at the start and end of each line, so bodies should not begin or end with one.

export interface SmscMessageSpec {
  toUser: string;
  fromUser: string;
  headerLines?: string[];
  body: string;
  expectStatus: number;
  /** Exact header lines the response must carry. */
  expectHeaderLines?: string[];
  /** UDP: retransmit after this many ms (doubling) until an answer comes; default sipp's T1. */
  retransMs?: number;
}

/** One call (one Call-ID, CSeq 2 throughout) sending the messages in order, each awaiting its final status. */
export function smscScenario(spec: { messages: SmscMessageSpec[] }): string {
  const references: string[] = [];
  const steps = spec.messages.map((message, index) => {
    const checks = (message.expectHeaderLines ?? []).map((line, i) => ({ name: `resp${index}_${i}`, regex: headerLineRegex(line) }));
    references.push(...checks.map((c) => c.name));
    const actions = checks.map((c) => `      <ereg regexp="${xmlAttr(c.regex)}" search_in="msg" check_it="true" assign_to="${c.name}"/>`);
    const lines = [
      `MESSAGE sip:${message.toUser}@[remote_ip]:[remote_port] SIP/2.0`,
      `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-smsc-[call_number]-${index}`,
      `From: <sip:${message.fromUser}@[local_ip]:[local_port]>`,
      `To: <sip:${message.toUser}@[remote_ip]:[remote_port]>`,
      'Call-ID: [call_id]',
      'CSeq: 2 MESSAGE',
      'Max-Forwards: 70',
      'Content-Type: text/plain',
      ...(message.headerLines ?? []),
      `Content-Length: ${Buffer.byteLength(message.body, 'utf8')}`,
      '',
      message.body,
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
<scenario name="smsc-uac">
${steps.join('\n')}
${references.length > 0 ? `  <Reference variables="${references.join(',')}"/>` : ''}
</scenario>
`;
}

function headerLineRegex(line: string): string {
  return `[[:cntrl:]]${line.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&')}[[:cntrl:]]`;
}

function xmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
