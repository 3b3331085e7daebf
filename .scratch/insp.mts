import { inspect } from 'node:util';
import * as oauth from 'oauth4webapi';
import { toAuthError } from '../main/auth/errors';
const as = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' };
const client = { client_id: 'c' };
const body = JSON.stringify({ access_token: 'FAKEACCESSTOKEN123', refresh_token: 'FAKEREFRESH456', expires_in: 300 });
const res = new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
try { await oauth.processRefreshTokenResponse(as, client, res); } catch (e) {
  const a = toAuthError(e, 'refresh');
  const s = inspect(a, { depth: 10 });
  console.log(a.code, s.includes('FAKEACCESSTOKEN123'), s.includes('FAKEREFRESH456'), JSON.stringify(a).includes('FAKE'));
  console.log(String(a));
  console.log(s.replaceAll('FAKEACCESSTOKEN123','<AT>').replaceAll('FAKEREFRESH456','<RT>').slice(0,1500));
}
