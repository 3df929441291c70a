// The simulator's counters ("never fail silently": every unanswered or refused request is counted).
import type { SipFinalResponse } from '../sip/port.js';
import type { SimulatorStats } from './simulator-types.js';

export class SimulatorCounters {
  private readonly stats: SimulatorStats = {
    received: 0,
    answered: {},
    silenced: 0,
    noResponse: 0,
    stored: 0,
    receipts: { sent: 0, acknowledged: 0, failed: 0, retries: 0, skipped: 0 },
    mo: { messages: 0, parts: 0, responses: {} },
    smpp: { binds: 0, submits: 0, delivers: 0, receipts: 0 },
  };

  snapshot(): SimulatorStats {
    return structuredClone(this.stats);
  }

  receivedMessage(): void {
    this.stats.received += 1;
  }

  answeredWith(status: number): void {
    increment(this.stats.answered, String(status));
  }

  silenced(): void {
    this.stats.silenced += 1;
  }

  noResponse(): void {
    this.stats.noResponse += 1;
  }

  storedMessage(): void {
    this.stats.stored += 1;
  }

  receiptSent(): void {
    this.stats.receipts.sent += 1;
  }

  receiptRetried(): void {
    this.stats.receipts.retries += 1;
  }

  receiptSkipped(): void {
    this.stats.receipts.skipped += 1;
  }

  receiptDone(acknowledged: boolean): void {
    if (acknowledged) this.stats.receipts.acknowledged += 1;
    else this.stats.receipts.failed += 1;
  }

  moMessage(): void {
    this.stats.mo.messages += 1;
  }

  moPart(response: SipFinalResponse): void {
    this.stats.mo.parts += 1;
    increment(this.stats.mo.responses, String(response.status));
  }

  smpp(event: 'binds' | 'submits' | 'delivers' | 'receipts'): void {
    this.stats.smpp[event] += 1;
  }
}

function increment(table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1;
}
