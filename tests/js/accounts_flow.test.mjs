// Accounts people run themselves, as a person does it in headless Debian Chromium (driven by
// playwright-core), with openid-client as the relying party and a real SMTP server
// (scripts/mail-sink.py) whose delivered mails hold the links: sign up from a client's login
// page, verify the e-mail address from the mail, sign in to the client again (the ID token now
// says email_verified), the account page, then a forgotten password recovered by mail (the
// client's old refresh token dies with it) and a sign-in with the new password. It saves the
// sign-up, recovery and account pages as docs/signup.png, docs/recover.png and
// docs/account.png for the README.
//
// Run by ctest (tests/http/browser/CMakeLists.txt) with KEYWARD_TEST_DATABASE_URL set by
// scripts/test.sh; skipped without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';

import * as oidc from 'openid-client';
import { chromium } from 'playwright-core';

import { CHROMIUM, CLUSTER, SOURCE_DIR, Stack, linkIn } from './stack.mjs';

const FIRST_PASSWORD = 'a map of the lost river';
const NEW_PASSWORD = 'the river found again';

test('accounts: sign up, verify by mail, sign in, the account page, recover by mail',
  { skip: !CLUSTER && 'set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)', timeout: 180_000 },
  async () => {
    const stack = await new Stack({ settings: { KEYWARD_REGISTRATION: 'open' }, mail: true }).start();
    let browser;
    const arrivals = [];
    const rp = http.createServer((req, res) => {
      if (req.url.startsWith('/callback')) arrivals.push(`http://127.0.0.1:${rp.address().port}${req.url}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('back at the client');
    });
    await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve));
    try {
      const redirectUri = `http://127.0.0.1:${rp.address().port}/callback`;
      const created = stack.createClient(['--name', 'Acme Notes',
        '--grant-types', 'authorization_code,refresh_token',
        '--scopes', 'openid profile email offline_access', '--public', '--redirect-uri', redirectUri]);
      const config = await oidc.discovery(new URL(stack.issuer), created.client_id, undefined,
        oidc.None(), { execute: [oidc.allowInsecureRequests] });
      oidc.enableNonRepudiationChecks(config);

      // One authorization request of the client, and its code exchange once back.
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
          finish: async () => {
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
      const context = await browser.newContext({ viewport: { width: 960, height: 760 }, colorScheme: 'light' });
      const page = await context.newPage();

      // Sign up from the client's login page; the form comes back to the client's request.
      const first = await signIn('openid profile email offline_access');
      await page.goto(first.url);
      await page.getByRole('link', { name: 'Create an account' }).click();
      assert.equal(await page.title(), 'Create an account · Keyward');
      await page.getByText('Acme Notes').first().waitFor();
      await page.getByLabel('Username').fill('dora');
      await page.getByLabel('E-mail address').fill('dora@example.com');
      await page.getByLabel('Given name').fill('Dora');
      await page.getByLabel('Family name').fill('Márquez');
      await page.getByLabel('Password').fill('password1');  // among the first guesses
      await page.getByRole('button', { name: 'Create account' }).click();
      assert.match(await page.getByRole('alert').innerText(), /attackers try/);
      await page.getByLabel('Password').fill(FIRST_PASSWORD);
      await page.screenshot({ path: path.join(SOURCE_DIR, 'docs', 'signup.png'), fullPage: true });
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      const unverified = await first.finish();
      assert.equal(unverified.claims().email, 'dora@example.com');
      assert.equal(unverified.claims().email_verified, false);

      // The verification mail: its link asks for a click (a mail scanner's GET consumes nothing).
      const verification = await stack.mail.nextFor('dora@example.com');
      const verifyLink = linkIn(verification.text, `${stack.issuer}/verify-email?token=`);
      await page.goto(verifyLink);
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      await page.getByRole('heading', { level: 1 }).filter({ hasText: /confirmed|verified/i }).waitFor();

      // Signed in already, consent given: straight back to the client, now verified.
      const second = await signIn('openid email');
      await page.goto(second.url);
      const verified = await second.finish();
      assert.equal(verified.claims().sub, unverified.claims().sub);
      assert.equal(verified.claims().email_verified, true);

      // The account page: the profile, this browser's session, the connected client.
      await page.goto(`${stack.issuer}/account`);
      await page.getByText('this browser').first().waitFor();
      await page.getByText('Acme Notes').first().waitFor();
      assert.equal(await page.getByLabel('Given name').inputValue(), 'Dora');
      await page.screenshot({ path: path.join(SOURCE_DIR, 'docs', 'account.png'), fullPage: true });

      // Forgotten password, in a browser that knows nobody: the same answer for anyone.
      const stranger = await browser.newContext({ viewport: { width: 960, height: 760 }, colorScheme: 'light' });
      const recoverPage = await stranger.newPage();
      await recoverPage.goto(`${stack.issuer}/recover`);
      await recoverPage.getByLabel('Username or e-mail address').fill('dora@example.com');
      await recoverPage.screenshot({ path: path.join(SOURCE_DIR, 'docs', 'recover.png'), fullPage: true });
      await recoverPage.getByRole('button', { name: 'Send me a link' }).click();
      const answer = await recoverPage.locator('main').innerText();
      await recoverPage.goto(`${stack.issuer}/recover`);
      await recoverPage.getByLabel('Username or e-mail address').fill('nobody@example.com');
      await recoverPage.getByRole('button', { name: 'Send me a link' }).click();
      assert.equal(await recoverPage.locator('main').innerText(), answer);

      const reset = await stack.mail.nextFor('dora@example.com');
      await recoverPage.goto(linkIn(reset.text, `${stack.issuer}/reset?token=`));
      await recoverPage.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await recoverPage.getByRole('button', { name: 'Change password' }).click();
      await recoverPage.getByRole('heading', { level: 1 }).filter({ hasText: /password/i }).waitFor();

      // Every grant and session died with the old password: the refresh token is refused and
      // the first browser must sign in again, now with the new password.
      await assert.rejects(oidc.refreshTokenGrant(config, unverified.refresh_token),
        (e) => e.error === 'invalid_grant');
      const third = await signIn('openid email');
      await page.goto(third.url);
      await page.getByLabel('Username').fill('dora');
      await page.getByLabel('Password').fill(FIRST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.getByRole('alert').innerText(), 'The username or password is incorrect.');
      await page.getByLabel('Username').fill('dora');
      await page.getByLabel('Password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const after = await third.finish();
      assert.equal(after.claims().sub, unverified.claims().sub);

      // No link, token or password ever reached the log.
      const log = stack.logText();
      for (const secret of [verifyLink.split('token=')[1], FIRST_PASSWORD, NEW_PASSWORD]) {
        assert.ok(!log.includes(secret), 'a secret in the log');
      }
    } finally {
      if (browser) await browser.close();
      rp.close();
      await stack.stop();
    }
  });
