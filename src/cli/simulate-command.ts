// `smsc-connect simulate`: the SMSC simulator (SIP, optionally SMPP), its local control API, an optional MO load,
// and the demo echo receiver. Flags are the simulator's own (see docs/simulator.md); it reads no service env.
// Runs until SIGINT/SIGTERM, or exits after the MO load with --exit-after-mo.
import { createLogger } from '../logging/index.js';
import { parseSimulateFlags, type SimulateSetup } from '../simulator/cli-options.js';
import { createControlApi } from '../simulator/control-api.js';
import { createEchoReceiver } from '../simulator/echo-receiver.js';
import { createSmscSimulator } from '../simulator/index.js';
import { EXIT, type CommandContext } from './command.js';

export async function simulateCommand(context: CommandContext): Promise<number> {
  let setup: SimulateSetup;
  try {
    setup = parseSimulateFlags(context.options);
  } catch (error) {
    context.stderr.write(`smsc-connect simulate: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  const logger = createLogger({ level: 'info', destination: 2 });
  const stops: Array<() => Promise<void>> = [];
  const report = (line: object): void => void context.stdout.write(`${JSON.stringify(line)}\n`);
  try {
    if (setup.echo) {
      const echo = createEchoReceiver({ ...setup.echo, framing: setup.framing, logger });
      stops.push(() => echo.stop());
      report({ echoReceiver: await echo.start() });
    }
    if (context.options['echo-only'] !== true) {
      const simulator = createSmscSimulator({ ...setup.simulator, logger });
      await simulator.start();
      stops.push(() => simulator.stop());
      report({ sip: simulator.boundAddresses(), smpp: simulator.smppAddress(), serviceUri: setup.simulator.serviceUri });
      if (setup.control) {
        const control = createControlApi({ simulator, listen: setup.control, framing: setup.framing });
        stops.push(() => control.stop());
        report({ control: await control.start() });
      }
      if (setup.moLoad) {
        report({ moLoad: await simulator.startMoLoad(setup.moLoad) });
        if (context.options['exit-after-mo'] === true) return EXIT.ok;
      }
    }
    await untilSignal();
    return EXIT.ok;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
