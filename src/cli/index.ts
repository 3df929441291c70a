// Entry point of the `smsc-connect` command (bin/smsc-connect.js imports the built copy of this file).
// The only place besides src/config that touches the process: argv, env, stdio and the exit code.
import { runCli } from './run-cli.js';

const code = await runCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr });
// Exit explicitly: a command is done when it says so, whatever timers or sockets a library left behind.
process.exit(code);
