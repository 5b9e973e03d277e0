import { describe, expect, it } from 'vitest';
import { activityActorHost, signatureKeyHosts } from './domain-gate.js';

describe('what a request claims about its server', () => {
  it('reads the key id of a draft-cavage or an RFC 9421 signature', () => {
    const cavage = new Headers({
      signature:
        'keyId="https://Spam.Example/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="x"',
    });
    expect(signatureKeyHosts(cavage)).toEqual(['spam.example']);
    const rfc9421 = new Headers({
      'signature-input': 'sig1=("@method" "@target-uri");keyid="http://127.0.0.1:8080/k";alg="rsa"',
    });
    expect(signatureKeyHosts(rfc9421)).toEqual(['127.0.0.1:8080']);
  });

  it('ignores what is not an http(s) URL, and unsigned requests', () => {
    expect(signatureKeyHosts(new Headers({ signature: 'keyId="acct:a@b",signature="x"' }))).toEqual(
      [],
    );
    expect(signatureKeyHosts(new Headers())).toEqual([]);
  });

  it("reads the activity's actor, as an id or an object, and survives any body", () => {
    const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    expect(activityActorHost(body({ actor: 'https://a.example/users/x' }))).toBe('a.example');
    expect(activityActorHost(body({ actor: { id: 'https://b.example/u' } }))).toBe('b.example');
    expect(activityActorHost(body({ actor: ['https://c.example/u'] }))).toBe('c.example');
    for (const hostile of [
      body({ actor: 42 }),
      body(null),
      new TextEncoder().encode('{"actor": '),
    ]) {
      expect(activityActorHost(hostile)).toBeNull();
    }
    expect(activityActorHost(undefined)).toBeNull();
  });
});
