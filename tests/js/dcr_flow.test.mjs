// Dynamic client registration as a third-party relying party does it: openid-client's
// dynamicClientRegistration (RFC 7591) discovers Keyward, registers a confidential client
// with an initial access token from `keyward registration-token create`, and then signs a
// user in with that client in headless Debian Chromium (authorization code + PKCE, the
// client authenticating with the client_secret_post secret it was just issued), with
// openid-client's ID token checks, userinfo and a refresh. Then RFC 7592: the client
// reads its registration and deletes itself, after which its refresh token is refused.
//
// Run by ctest as http_dcr_chromium (tests/http/browser/CMakeLists.txt) with
// KEYWARD_TEST_DATABASE_URL set by scripts/test.sh; skipped without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import * as oidc from 'openid-client';
import { chromium } from 'playwright-core';

import { CHROMIUM, CLUSTER, Stack } from './stack.mjs';

const PASSWORD = 'correct horse battery staple';

test('dynamic registration: openid-client registers a client, then signs in with it',
  { skip: !CLUSTER && 'set KEYWARD_TEST_DATABASE_URL (scripts/test.sh does)', timeout: 180_000 },
  async () => {
    const stack = await new Stack().start();
    let browser;
    const arrivals = [];
    const rp = http.createServer((req, res) => {
      if (req.url.startsWith('/callback')) {
        arrivals.push(`http://127.0.0.1:${rp.address().port}${req.url}`);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('back at the client');
    });
    await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve));
    try {
      const redirectUri = `http://127.0.0.1:${rp.address().port}/callback`;
      stack.run(['user', 'create', '--username', 'dana', '--email', 'dana@example.com',
        '--given-name', 'Dana', '--family-name', 'Scully', '--password-stdin'], `${PASSWORD}\n`);
      const minted = stack.run(['registration-token', 'create', '--max-uses', '1', '--expires-in', '600']);
      const initialAccessToken = JSON.parse(minted).token;

      const metadata = {
        client_name: 'Lone Gunmen Reader',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
        scope: 'openid profile email offline_access',
        logo_uri: 'https://reader.example/logo.png',
        contacts: ['ops@reader.example'],
      };

      // Without the initial access token the registration is refused (401 invalid_token).
      await assert.rejects(
        oidc.dynamicClientRegistration(new URL(stack.issuer), metadata, undefined,
          { execute: [oidc.allowInsecureRequests] }),
        (e) => {
          const status = e.status ?? e.cause?.status;
          assert.equal(status, 401, `${e.name}: ${e.message}`);
          return true;
        });

      const config = await oidc.dynamicClientRegistration(new URL(stack.issuer), metadata,
        undefined, { initialAccessToken, execute: [oidc.allowInsecureRequests] });
      oidc.enableNonRepudiationChecks(config);
      const registered = config.clientMetadata();
      assert.ok(registered.client_id);
      assert.equal(typeof registered.client_secret, 'string');
      assert.equal(registered.client_secret_expires_at, 0);
      assert.equal(registered.client_name, 'Lone Gunmen Reader');
      assert.equal(registered.logo_uri, 'https://reader.example/logo.png');
      assert.equal(registered.registration_client_uri,
        `${stack.issuer}/register/${registered.client_id}`);
      assert.equal(config.serverMetadata().registration_endpoint, `${stack.issuer}/register`);

      // The token had one use: a second registration with it is refused.
      await assert.rejects(oidc.dynamicClientRegistration(new URL(stack.issuer), metadata,
        undefined, { initialAccessToken, execute: [oidc.allowInsecureRequests] }));

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
      const page = await (await browser.newContext()).newPage();
      await page.goto(authorizationUrl.href);
      assert.equal(await page.title(), 'Sign in · Keyward');
      await page.getByText('Lone Gunmen Reader').first().waitFor();
      await page.getByLabel('Username').fill('dana');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // A dynamically registered client is never first-party: the user is asked.
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      assert.match(await page.locator('h1').innerText(), /Lone Gunmen Reader wants to access your account/);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${redirectUri}?**`);
      assert.equal(arrivals.length, 1);

      const tokens = await oidc.authorizationCodeGrant(config, new URL(arrivals[0]), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      assert.equal(claims.iss, stack.issuer);
      assert.equal(claims.aud, registered.client_id);
      assert.equal(claims.email, 'dana@example.com');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(userinfo.preferred_username, 'dana');
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
      assert.ok(refreshed.access_token);

      // RFC 7592 with the registration access token: read, then delete.
      const auth = { Authorization: `Bearer ${registered.registration_access_token}` };
      const read = await fetch(registered.registration_client_uri, { headers: auth });
      assert.equal(read.status, 200);
      assert.equal((await read.json()).client_name, 'Lone Gunmen Reader');
      const deleted = await fetch(registered.registration_client_uri, { method: 'DELETE', headers: auth });
      assert.equal(deleted.status, 204);
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token),
        (e) => {
          assert.equal(e.error ?? e.cause?.error, 'invalid_client', `${e.name}: ${e.message}`);
          return true;
        });
    } finally {
      if (browser) await browser.close();
      rp.close();
      await stack.stop();
    }
  });
