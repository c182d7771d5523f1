// The whole browser sign-in, as a person and a real relying party do it:
// headless Debian Chromium (driven by playwright-core) on Keyward's real login and
// consent pages, and openid-client (a certified third-party OIDC library) doing
// discovery, authorization code + PKCE (S256), the code exchange with ID token
// validation (signature through the JWKS, iss, aud, nonce, exp), userinfo, a refresh,
// RP-initiated logout, and prompt=none afterwards (login_required). It saves the login
// and consent pages as docs/login.png and docs/consent.png for the README.
//
// Run by ctest (tests/http/browser/CMakeLists.txt) with KEYWARD_TEST_DATABASE_URL set by
// scripts/test.sh; skipped without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';

import * as oidc from 'openid-client';
import { chromium } from 'playwright-core';

import { CHROMIUM, CLUSTER, SOURCE_DIR, Stack } from './stack.mjs';

const PASSWORD = 'correct horse battery staple';

test('browser sign-in: code + PKCE through the real pages, ID token, userinfo, refresh, logout',
  { skip: !CLUSTER && 'set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)', timeout: 180_000 },
  async () => {
    const stack = await new Stack().start();
    let browser;
    // The relying party's own pages: a real listener that records where the browser lands
    // (request interception does not follow redirects, and a sign-in ends in one).
    const arrivals = [];
    const rp = http.createServer((req, res) => {
      // Browsers also ask for /favicon.ico.
      if (req.url.startsWith('/callback') || req.url.startsWith('/signed-out')) {
        arrivals.push(`http://127.0.0.1:${rp.address().port}${req.url}`);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('back at the client');
    });
    await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve));
    try {
      const callbackPort = rp.address().port;
      const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
      const postLogoutUri = `http://127.0.0.1:${callbackPort}/signed-out`;
      const created = stack.createClient(['--name', 'Acme Notes',
        '--grant-types', 'authorization_code,refresh_token',
        '--scopes', 'openid profile email offline_access', '--public',
        '--redirect-uri', redirectUri, '--post-logout-redirect-uri', postLogoutUri]);
      stack.run(['user', 'create', '--username', 'alice', '--email', 'alice@example.com',
        '--given-name', 'Alice', '--family-name', 'Liddell', '--password-stdin'], `${PASSWORD}\n`);

      // The relying party: discovery, then every check openid-client makes.
      const config = await oidc.discovery(new URL(stack.issuer), created.client_id, undefined,
        oidc.None(), { execute: [oidc.allowInsecureRequests] });
      // Verify ID token signatures against the JWKS too (off by default over TLS).
      oidc.enableNonRepudiationChecks(config);
      assert.equal(config.serverMetadata().issuer, stack.issuer);

      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile email offline_access',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const context = await browser.newContext({ viewport: { width: 960, height: 760 }, colorScheme: 'light' });
      const page = await context.newPage();

      await page.goto(authorizationUrl.href);
      assert.equal(await page.title(), 'Sign in · Keyward');
      await page.getByText('Acme Notes').first().waitFor();
      await page.screenshot({ path: path.join(SOURCE_DIR, 'docs', 'login.png'), fullPage: true });

      // A wrong password: the page says so and nothing is issued.
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('not my password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.getByRole('alert').innerText(), 'The username or password is incorrect.');
      assert.equal(arrivals.length, 0);

      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      assert.match(await page.locator('h1').innerText(), /Acme Notes wants to access your account/);
      await page.screenshot({ path: path.join(SOURCE_DIR, 'docs', 'consent.png'), fullPage: true });
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${redirectUri}?**`);
      assert.equal(arrivals.length, 1);

      // The code exchange: state, iss (RFC 9207), PKCE, ID token signature and claims.
      const tokens = await oidc.authorizationCodeGrant(config, new URL(arrivals[0]), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      assert.equal(claims.iss, stack.issuer);
      assert.equal(claims.aud, created.client_id);
      assert.equal(claims.nonce, nonce);
      assert.equal(claims.email, 'alice@example.com');
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(tokens.refresh_token, 'a refresh token');
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');

      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(userinfo.sub, claims.sub);
      assert.equal(userinfo.preferred_username, 'alice');
      assert.equal(userinfo.name, 'Alice Liddell');

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      assert.ok(refreshed.access_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
      const again = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
      assert.equal(again.sub, claims.sub);

      // RP-initiated logout with the ID token as hint: no question asked, back with state.
      const logoutState = oidc.randomState();
      await page.goto(oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: postLogoutUri,
        state: logoutState,
      }).href);
      await page.waitForURL(`${postLogoutUri}?**`);
      assert.equal(new URL(arrivals[1]).searchParams.get('state'), logoutState);

      // Signed out: prompt=none cannot sign in silently any more.
      const silentState = oidc.randomState();
      await page.goto(oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state: silentState,
        prompt: 'none',
      }).href);
      await page.waitForURL(`${redirectUri}?**`);
      const silent = new URL(arrivals[2]).searchParams;
      assert.equal(silent.get('error'), 'login_required');
      assert.equal(silent.get('state'), silentState);
      assert.equal(silent.get('iss'), stack.issuer);
    } finally {
      if (browser) await browser.close();
      rp.close();
      await stack.stop();
    }
  });
