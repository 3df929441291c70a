#!/usr/bin/env node
// The installed `smsc-connect` command. dist/ is built by `npm ci` (postinstall) or `npm run build`.
import '../dist/cli/index.js';
