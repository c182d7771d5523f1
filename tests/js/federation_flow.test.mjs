// Federated sign-in ("Sign in with …") as a person does it in headless Debian Chromium (driven by
// playwright-core): openid-client is the relying party of Keyward, and Keyward is the relying
// party of node-oidc-provider (npm `oidc-provider`, tests/js/oidc_upstream.mjs), a foreign
// upstream on loopback registered with `keyward idp add`. From the client's login page: the
// provider's button, the upstream's own sign-in and consent, back through
// /federation/callback (a Keyward account is created and linked), Keyward's consent, and the
// client's callback with an ID token carrying Keyward's sub, amr ["fed"] and auth_time. Then a
// second sign-in reuses the link, a cancelled upstream sign-in comes back to the login page
// with a message, and the account page lists the linked provider. Last, an upstream account
// whose verified address a Keyward account has: the link page, its password, and straight on to
// a first-party client (a POST whose redirects end at the client's origin: CSP form-action
// must allow it, as Chromium checks every hop). It saves the login page
// with its provider button as docs/login-federation.png for the README.
//
// Run by ctest (tests/http/browser/CMakeLists.txt) with KEYWARD_TEST_DATABASE_URL set by
// scripts/test.sh; skipped without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';

import * as oidc from 'openid-client';
import { chromium } from 'playwright-core';

import { OidcUpstream } from './oidc_upstream.mjs';
import { CHROMIUM, CLUSTER, SOURCE_DIR, Stack } from './stack.mjs';

const UPSTREAM_SECRET = 'upstream-secret-of-keyward-at-acme-0123456789';

test('federation: sign in with an upstream OpenID provider, through Keyward, to a client',
  { skip: !CLUSTER && 'set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)', timeout: 180_000 },
  async () => {
    const stack = await new Stack({ settings: { KEYWARD_REGISTRATION: 'open' } }).start();
    const upstream = new OidcUpstream({
      accounts: {
        'acme-7731': {
          email: 'erin@acme.example', email_verified: true,
          given_name: 'Erin', family_name: 'Okafor', preferred_username: 'erin',
        },
        'acme-8842': { email: 'finn@acme.example', email_verified: true },
      },
    });
    let browser;
    const arrivals = [];
    const rp = http.createServer((req, res) => {
      if (req.url.startsWith('/callback')) arrivals.push(`http://127.0.0.1:${rp.address().port}${req.url}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('back at the client');
    });
    await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve));
    try {
      await upstream.start({
        clientId: 'keyward', clientSecret: UPSTREAM_SECRET,
        redirectUri: `${stack.issuer}/federation/callback`,
      });
      const added = await stack.runAsync(['idp', 'add', '--name', 'acme', '--issuer', upstream.issuer,
        '--client-id', 'keyward', '--client-secret-stdin', '--scopes', 'openid email profile',
        '--button-label', 'Acme ID'], `${UPSTREAM_SECRET}\n`);
      assert.match(added, new RegExp(`${stack.issuer}/federation/callback`));

      const redirectUri = `http://127.0.0.1:${rp.address().port}/callback`;
      const created = stack.createClient(['--name', 'Acme Notes',
        '--grant-types', 'authorization_code,refresh_token',
        '--scopes', 'openid profile email', '--public', '--redirect-uri', redirectUri]);
      const config = await oidc.discovery(new URL(stack.issuer), created.client_id, undefined,
        oidc.None(), { execute: [oidc.allowInsecureRequests] });
      oidc.enableNonRepudiationChecks(config);

      const signIn = async (scope) => {
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri, scope, state, nonce,
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        });
        return {
          url: url.href,
          finish: async (page) => {
            await page.waitForURL(`${redirectUri}?**`);
            return oidc.authorizationCodeGrant(config, new URL(arrivals.at(-1)), {
              pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
              idTokenExpected: true,
            });
          },
        };
      };

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const newContext = async () => {
        const context = await browser.newContext({ viewport: { width: 960, height: 760 }, colorScheme: 'light' });
        // node-oidc-provider's development pages import a web font: nothing leaves loopback.
        await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (r) => r.abort());
        return context;
      };
      const upstreamSignIn = async (page, login) => {
        await page.waitForURL(`${upstream.issuer}/**`);
        await page.locator('input[name="login"]').fill(login);
        await page.locator('input[name="password"]').fill('any password: the upstream is not under test');
        await page.getByRole('button', { name: 'Sign-in' }).click();
        await page.getByRole('button', { name: 'Continue' }).click();
      };

      // 1. The client's login page shows the provider; the whole flow ends at the client.
      const page = await (await newContext()).newPage();
      const first = await signIn('openid profile email');
      const started = Math.floor(Date.now() / 1000);
      await page.goto(first.url);
      const button = page.getByRole('button', { name: 'Sign in with Acme ID' });
      await button.waitFor();
      await page.screenshot({ path: path.join(SOURCE_DIR, 'docs', 'login-federation.png'), fullPage: true });
      await button.click();
      await upstreamSignIn(page, 'acme-7731');
      await page.waitForURL(`${stack.issuer}/**`);
      await page.getByRole('button', { name: 'Allow' }).click();
      const tokens = await first.finish(page);
      const claims = tokens.claims();
      assert.notEqual(claims.sub, 'acme-7731', 'Keyward issues its own sub, not the upstream one');
      assert.deepEqual(claims.amr, ['fed']);
      assert.ok(claims.auth_time >= started - 1 && claims.auth_time <= Math.floor(Date.now() / 1000) + 1);
      assert.equal(claims.email, 'erin@acme.example');
      assert.equal(claims.email_verified, true);
      assert.equal(claims.given_name, 'Erin');
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, 'erin@acme.example');

      // 2. Another browser, the same upstream account: the link is reused, no second account.
      const second = await signIn('openid email');
      const other = await (await newContext()).newPage();
      await other.goto(second.url);
      await other.getByRole('button', { name: 'Sign in with Acme ID' }).click();
      await upstreamSignIn(other, 'acme-7731');
      // Consent to these scopes was remembered: straight back to the client.
      const again = await second.finish(other);
      assert.equal(again.claims().sub, claims.sub);
      assert.deepEqual(again.claims().amr, ['fed']);

      // 3. Cancelled at the upstream: back on Keyward's login page, with a message.
      const third = await signIn('openid');
      const cancelling = await (await newContext()).newPage();
      await cancelling.goto(third.url);
      await cancelling.getByRole('button', { name: 'Sign in with Acme ID' }).click();
      await cancelling.waitForURL(`${upstream.issuer}/**`);
      await cancelling.getByRole('link', { name: '[ Cancel ]' }).click();
      await cancelling.waitForURL(`${stack.issuer}/**`);
      assert.match(await cancelling.getByRole('alert').innerText(), /cancel/i);
      await cancelling.getByRole('button', { name: 'Sign in with Acme ID' }).waitFor();

      // 4. The account page lists the linked provider (the only way in: no unlink offered).
      await page.goto(`${stack.issuer}/account`);
      await page.getByText('Acme ID').first().waitFor();
      await page.getByText('erin@acme.example').first().waitFor();

      // 5. A verified address of an existing Keyward account: link with its password, then
      // (a first-party client: no consent page) the 303 to /authorize and the 302 to the client.
      stack.run(['user', 'create', '--username', 'finn', '--email', 'finn@acme.example',
        '--password-stdin'], 'finn keyward password 7731\n');
      stack.run(['user', 'verify-email', 'finn']);
      const firstParty = stack.createClient(['--name', 'Acme Console', '--first-party',
        '--grant-types', 'authorization_code', '--scopes', 'openid email', '--public',
        '--redirect-uri', redirectUri]);
      const consoleConfig = await oidc.discovery(new URL(stack.issuer), firstParty.client_id,
        undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
      const verifier = oidc.randomPKCECodeVerifier();
      const linkUrl = oidc.buildAuthorizationUrl(consoleConfig, {
        redirect_uri: redirectUri, scope: 'openid email', state: 'link-state', nonce: 'link-nonce',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const linking = await (await newContext()).newPage();
      await linking.goto(linkUrl.href);
      await linking.getByRole('button', { name: 'Sign in with Acme ID' }).click();
      await upstreamSignIn(linking, 'acme-8842');
      await linking.waitForURL(`${stack.issuer}/federation/**`);
      await linking.getByRole('heading', { name: 'Link your Acme ID sign-in' }).waitFor();
      await linking.locator('input[name="password"]').fill('finn keyward password 7731');
      await linking.getByRole('button', { name: 'Link and sign in' }).click();
      await linking.waitForURL(`${redirectUri}?**`);
      const linked = await oidc.authorizationCodeGrant(consoleConfig, new URL(arrivals.at(-1)), {
        pkceCodeVerifier: verifier, expectedState: 'link-state', expectedNonce: 'link-nonce',
        idTokenExpected: true,
      });
      assert.deepEqual(linked.claims().amr, ['fed']);
      assert.equal(linked.claims().email, 'finn@acme.example');

      // Nothing secret reached the log.
      assert.ok(!stack.logText().includes(UPSTREAM_SECRET), 'the upstream client secret in the log');
    } finally {
      if (browser) await browser.close();
      rp.close();
      await upstream.stop();
      await stack.stop();
    }
  });
