// The peer token_bench.sh compares Keyward with: node-oidc-provider (npm `oidc-provider`, the
// certified provider tests/js already depends on), configured as an authorization server for
// machine clients only, the same work Keyward does in the benchmark:
//   - client_credentials with client_secret_basic, issuing RS256 JWT access tokens (RFC 9068)
//     for one resource server (https://api.example, scopes "read write");
//   - introspection by a second client. node-oidc-provider refuses to introspect JWT access
//     tokens ("Structured JWT Tokens cannot be introspected"), so the introspected token is an
//     opaque one for a second resource (https://opaque.example), looked up in its store;
//   - JWKS and discovery.
// One RSA-2048 key, generated at start. Prints one JSON line with the issuer and the clients'
// credentials once it listens; stops on SIGTERM.
//
// Usage: node bench/oidc_provider_peer.mjs <port>   (resolved from tests/js/node_modules)
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'js', 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;
const resource = 'https://api.example';
const opaqueResource = 'https://opaque.example';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const svc = { client_id: 'bench-svc', client_secret: 'bench-svc-secret-0123456789abcdef' };
const rs = { client_id: 'bench-rs', client_secret: 'bench-rs-secret-0123456789abcdefgh' };

const provider = new Provider(issuer, {
  clients: [
    {
      ...svc,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read write',
    },
    {
      ...rs,
      grant_types: [],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [jwk] },
  scopes: ['read', 'write'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    // A JWT access token for the resource server, as Keyward issues (RFC 9068).
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) =>
        indicator === opaqueResource
          ? { scope: 'read write', audience: opaqueResource, accessTokenFormat: 'opaque' }
          : {
              scope: 'read write',
              audience: resource,
              accessTokenTTL: 3600,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'RS256' } },
            },
    },
  },
  cookies: { keys: ['keyward bench peer cookies'] },
});
provider.proxy = false;
// A JWT access token is not stored; the default in-memory adapter would grow with every
// token otherwise. Introspection of a JWT verifies it (no lookup needed).
const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ issuer, svc, rs, resource, opaqueResource })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
