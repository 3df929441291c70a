// The figures every phase reports the same way: CPU per role between two marks, per message, PostgreSQL rows and
// commits between two snapshots; and the helpers the phases share (provisioning a number, the pids per role).
import type { BenchEnvironment } from './bench-environment.js';
import { delta, type DbSnapshot } from './db-stats.js';
import { keepAliveAgent, send } from './http-load.js';
import { pidsMatching } from './proc-stats.js';
import { cpuBetween, round, type ResourceMark, type Role } from './resource-sampler.js';
import type { PhaseName, PhaseReport, PhaseResources } from './run-database.js';
import { twilioForm, twilioHeaders } from './twilio-request.js';

export function phaseReport(input: {
  name: PhaseName; unit: string; messages: number; resources: PhaseResources; throughput: Record<string, number>;
  latencyMs: { p50: number; p99: number } | null; db: ((messages: number) => PhaseReport['db']) | null;
}): PhaseReport {
  const per = (value: number): number => (input.messages > 0 ? value / input.messages : 0);
  const cpuMsPerMessage = {} as Record<Role, number>;
  for (const [role, seconds] of Object.entries(input.resources.cpuSeconds)) cpuMsPerMessage[role as Role] = round(per(seconds * 1000), 3);
  return {
    name: input.name, unit: input.unit, messages: input.messages, wallSeconds: input.resources.wallSeconds,
    throughput: Object.fromEntries(Object.entries(input.throughput).map(([key, value]) => [key, round(value, 1)])),
    latencyMs: input.latencyMs ? { p50: round(input.latencyMs.p50, 2), p99: round(input.latencyMs.p99, 2) } : null,
    cpuMsPerMessage, servicePeakRssMb: round(input.resources.servicePeakRssMb, 1),
    db: input.db ? input.db(input.messages) : null,
  };
}

export function dbFigures(from: DbSnapshot | null, to: DbSnapshot | null, settled: boolean): ((messages: number) => PhaseReport['db']) | null {
  if (!from || !to) return null;
  const totals = delta(from, to);
  return (messages) => {
    const per = (value: number): number => round(messages > 0 ? value / messages : 0, 3);
    return {
      rowsPerMessage: per(totals.rows), insertedPerMessage: per(totals.inserted), updatedPerMessage: per(totals.updated),
      deletedPerMessage: per(totals.deleted), hotPerMessage: per(totals.hot), commitsPerMessage: per(totals.commits),
      perTable: Object.fromEntries(Object.entries(totals.tables).map(([name, t]) => [name, {
        rows: per(t.rows), inserted: per(t.inserted), updated: per(t.updated), deleted: per(t.deleted), hot: per(t.hot),
      }])),
      totals, settled,
    };
  };
}

export async function provisionNumber(env: BenchEnvironment, number: string, route: 'sip' | 'smpp'): Promise<void> {
  const params: Array<[string, string]> = [['PhoneNumber', number], ['SmsUrl', `${env.receiverUrl}/sms`]];
  if (route === 'smpp') params.push(['SmscRoute', 'smpp']);
  const body = twilioForm(params);
  const url = `${env.serviceUrl}/2010-04-01/Accounts/${env.credentials.accountSid}/IncomingPhoneNumbers.json`;
  const agent = keepAliveAgent(1);
  const result = await send(agent, { method: 'POST', url, headers: twilioHeaders(env.credentials, body), body });
  agent.destroy();
  if (result.status !== 201) throw new Error(`provisioning ${number} answered ${result.status}: ${result.body}`);
}

export function rolePids(env: BenchEnvironment) {
  const shared = env.postgres ? pidsMatching('postgres: .*(checkpointer|background writer|walwriter)') : [];
  return {
    service: () => [env.service.pid],
    database: () => env.postgres?.backendPids() ?? [],
    databaseShared: () => shared,
    simulator: () => [env.simulator.pid],
    receiver: () => [env.receiver.pid],
    loadGenerator: () => [process.pid],
  };
}

export function phase(from: ResourceMark, to: ResourceMark): PhaseResources {
  return { ...cpuBetween(from, to), servicePeakRssMb: to.servicePeakRssMb };
}
