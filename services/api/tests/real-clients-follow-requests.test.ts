/**
 * A locked account as masto.js (Elk, Phanpy) sees it, unmodified, over HTTP: the owner locks the
 * account, a follow becomes a request, the owner is notified, lists the requests and authorizes one
 * (and rejects another); followers-only posts reach the accepted follower only.
 */
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import { useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person } = server;

describe('masto.js and a locked account', () => {
  it('follows a locked account; the owner authorizes one request and rejects the other', async () => {
    const owner = await person('masto_locked');
    const friend = await person('masto_friend');
    const stranger = await person('masto_stranger');

    const locked = await owner.client.v1.accounts.updateCredentials({ locked: true });
    expect(locked.locked).toBe(true);
    const secret = await owner.client.v1.statuses.create({
      status: 'for my followers',
      visibility: 'private',
    });

    const asked = await friend.client.v1.accounts.$select(owner.id).follow();
    expect(asked).toMatchObject({ following: false, requested: true });
    await stranger.client.v1.accounts.$select(owner.id).follow();

    await deliverNotifications(server.database);
    const notifications = await owner.client.v1.notifications.list();
    expect(notifications.map((n) => [n.type, n.account?.id])).toEqual([
      ['follow_request', stranger.id],
      ['follow_request', friend.id],
    ]);
    const requests = await owner.client.v1.followRequests.list();
    expect(requests.map((a) => a.username)).toEqual(['masto_stranger', 'masto_friend']);

    const accepted = await owner.client.v1.followRequests.$select(friend.id).authorize();
    expect(accepted).toMatchObject({ followedBy: true, requestedBy: false });
    const refused = await owner.client.v1.followRequests.$select(stranger.id).reject();
    expect(refused).toMatchObject({ followedBy: false, requestedBy: false });
    expect(await owner.client.v1.followRequests.list()).toEqual([]);

    const [relationship] = await friend.client.v1.accounts.relationships.fetch({ id: [owner.id] });
    expect(relationship).toMatchObject({ following: true, requested: false });
    expect((await friend.client.v1.statuses.$select(secret.id).fetch()).id).toBe(secret.id);
    await expect(stranger.client.v1.statuses.$select(secret.id).fetch()).rejects.toThrow();
  });
});
