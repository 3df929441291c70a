import { createNativeSipAdapter } from '../../../src/sip/native/index.js';
import { describeSipContract } from './sip-contract.js';

describeSipContract('native', (opts) => createNativeSipAdapter(opts));
