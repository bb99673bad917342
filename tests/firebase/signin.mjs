// Signs a user up and in on the real Firebase Auth emulator with the Firebase JS SDK (tenant-scoped,
// as PinMe's front ends do), then asks the example Worker, running in Miniflare against mockpinme,
// who the id token belongs to. Prints one JSON line.
//
//   cd examples/worker && EMULATOR=http://127.0.0.1:PORT PROJECT_ID=demo-… TENANT=… BASE_URL=… \
//     WORKER=dist/worker.js node ../../tests/firebase/signin.mjs
// (workerd reads the Worker relative to the working directory, and refuses a path with "..").

import { createRequire } from 'node:module';
import { initializeApp } from 'firebase/app';
import {
  applyActionCode,
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  sendEmailVerification,
  signInWithEmailAndPassword,
  signOut,
} from 'firebase/auth';

const { EMULATOR, PROJECT_ID, TENANT, BASE_URL, WORKER } = process.env;
const EMAIL = 'emu-user@example.com';
const PASSWORD = 'Test@12345678';

// Miniflare comes from the example Worker's own packages.
const { Miniflare } = createRequire(new URL('../../examples/worker/package.json', import.meta.url))('miniflare');

const app = initializeApp({ apiKey: 'demo-api-key', authDomain: `${PROJECT_ID}.firebaseapp.com`, projectId: PROJECT_ID });
const auth = getAuth(app);
connectAuthEmulator(auth, EMULATOR, { disableWarnings: true });
auth.tenantId = TENANT;

const mf = new Miniflare({
  modules: true,
  scriptPath: WORKER,
  compatibilityDate: '2026-04-01',
  bindings: { BASE_URL, API_KEY: 'test-key', PROJECT_NAME: 'demo' },
});
const me = async (token) => {
  const resp = await mf.dispatchFetch('http://worker.test/api/me', { headers: { Authorization: `Bearer ${token}` } });
  return { status: resp.status, body: await resp.json() };
};

try {
  const created = await createUserWithEmailAndPassword(auth, EMAIL, PASSWORD);
  const unverifiedToken = await created.user.getIdToken();
  const unverified = await me(unverifiedToken);

  await sendEmailVerification(created.user);
  const codes = await (await fetch(`${EMULATOR}/emulator/v1/projects/${PROJECT_ID}/tenants/${TENANT}/oobCodes`)).json();
  const code = codes.oobCodes.find((c) => c.email === EMAIL && c.requestType === 'VERIFY_EMAIL');
  await applyActionCode(auth, code.oobCode);
  await signOut(auth);

  const signedIn = await signInWithEmailAndPassword(auth, EMAIL, PASSWORD);
  const token = await signedIn.user.getIdToken(true);
  const verified = await me(token);
  const [header] = token.split('.');
  console.log(JSON.stringify({
    uid: signedIn.user.uid,
    tenantId: signedIn.user.tenantId,
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    unverified,
    verified,
  }));
} finally {
  await mf.dispose();
}
process.exit(0);
