// Drives the npm package "hibp" (pinned in package-lock.json) against a
// running pcmt instance: PCMT_BASE is its base URL, PCMT_KEY a personal API
// token. Prints what the client got, as JSON, for the Go test to check.
import { breachedAccount, pwnedPassword, pwnedPasswordRange } from 'hibp';

const base = process.env.PCMT_BASE;
const key = process.env.PCMT_KEY;
const api = `${base}/api/v3`;

const out = {
  known: await pwnedPassword('P@ssw0rd', { baseUrl: base }),
  knownPadded: await pwnedPassword('P@ssw0rd', { baseUrl: base, addPadding: true }),
  unknown: await pwnedPassword('an unbreached passphrase 913', { baseUrl: base }),
  unknownPadded: await pwnedPassword('an unbreached passphrase 913', { baseUrl: base, addPadding: true }),
  ntlm: await pwnedPasswordRange('8846F', { baseUrl: base, mode: 'ntlm' }),
  paddedLines: Object.keys(await pwnedPasswordRange('21BD1', { baseUrl: base, addPadding: true })).length,
  breaches: await breachedAccount('ann@example.org', { apiKey: key, baseUrl: api, truncate: false }),
  names: await breachedAccount('ann@example.org', { apiKey: key, baseUrl: api }),
  none: await breachedAccount('nobody@example.org', { apiKey: key, baseUrl: api }),
};
let refused = '';
try {
  await breachedAccount('ann@example.org', { apiKey: 'pcmt_wrong', baseUrl: api });
} catch (err) {
  refused = String(err.message);
}
out.refused = refused;
console.log(JSON.stringify(out));
