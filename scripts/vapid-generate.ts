/**
 * `pnpm vapid:generate`: prints a new VAPID key pair for Web Push, as the two lines to put in the
 * environment of the api and the worker (both use the same pair). Keep the private key secret;
 * changing the pair invalidates every existing push subscription (apps subscribe again).
 */
import { generateKeyPairSync } from 'node:crypto';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pub = publicKey.export({ format: 'jwk' });
const priv = privateKey.export({ format: 'jwk' });
if (!pub.x || !pub.y || !priv.d) throw new Error('the P-256 key has no coordinates');
const point = Buffer.concat([
  Buffer.from([0x04]),
  Buffer.from(pub.x, 'base64url'),
  Buffer.from(pub.y, 'base64url'),
]);
process.stdout.write(
  `VAPID_PUBLIC_KEY=${point.toString('base64url')}\nVAPID_PRIVATE_KEY=${priv.d}\n`,
);
