// Issue 15, point 2, "the SMSC link (SIP probe, SMPP binds)": with SMPP_BINDS configured, the overview shows the
// bind as the SMPP service sees it, next to the SIP probe, in the JSON and on the page.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withBrowser } from '../../helpers/browser.js';
import { ACCOUNT_SID, AUTH_TOKEN, startStack, waitFor, type Stack } from '../smpp-route/harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { SMSC_DEFAULT_ROUTE: 'smpp' } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

it('shows the SMPP binds and the SIP probe in the overview', async () => {
  const overview = await waitFor('the bind and the first probe', async () => {
    const response = await fetch(`${stack.service.url}/console/api/Accounts/${ACCOUNT_SID}/overview`, {
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
    });
    const body = (await response.json()) as { link: { smpp: { bound: number }; sip: { probe: { reachable: boolean | null } } } };
    return body.link.smpp.bound === 1 && body.link.sip.probe.reachable !== null ? body : undefined;
  });
  // The probe's result itself depends on the machine's load (its OPTIONS may time out); that it is reported is the point.
  expect(overview.link).toMatchObject({
    default_route: 'smpp', sip: { transport_up: true, probe: { reachable: expect.any(Boolean) } }, smpp: { bound: 1, total: 1 },
  });
  await withBrowser(async (page) => {
    await page.goto(`${stack.service.url}/console/`);
    await page.getByLabel('SID', { exact: true }).fill(ACCOUNT_SID);
    await page.getByLabel('Auth token or secret').fill(AUTH_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await page.locator('#smpp-binds').innerText()).toBe('1 of 1 bound');
    expect(await page.locator('#smsc-link').innerText()).toContain('SMPP');
  });
});
