/**
 * Notification filtering as masto.js (Elk, Phanpy) drives it, unmodified, over HTTP: the policy is
 * read and changed, a stranger's favourites wait in a request instead of the list, the request is
 * listed and accepted (its notifications join the list), another is dismissed.
 */
import { deliverNotifications } from '@murmur/db/testing';
import { describe, expect, it } from 'vitest';
import { useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person } = server;

describe('masto.js and notification requests', () => {
  it('filters strangers by policy; the owner accepts one request and dismisses the other', async () => {
    const owner = await person('masto_policy');
    const fan = await person('masto_fan');
    const troll = await person('masto_troll');

    expect(await owner.client.v2.notifications.policy.fetch()).toMatchObject({
      forNotFollowing: 'accept',
      forPrivateMentions: 'filter',
    });
    const policy = await owner.client.v2.notifications.policy.update({
      forNotFollowing: 'filter',
    });
    expect(policy.forNotFollowing).toBe('filter');

    const post = await owner.client.v1.statuses.create({ status: 'like me' });
    await fan.client.v1.statuses.$select(post.id).favourite();
    await troll.client.v1.statuses.$select(post.id).favourite();
    await deliverNotifications(server.database);

    expect(await owner.client.v1.notifications.list()).toEqual([]);
    expect((await owner.client.v2.notifications.policy.fetch()).summary).toEqual({
      pendingRequestsCount: 2,
      pendingNotificationsCount: 2,
    });
    const requests = await owner.client.v1.notifications.requests.list();
    expect(requests.map((r) => [r.account.username, Number(r.notificationsCount)])).toEqual([
      ['masto_troll', 1],
      ['masto_fan', 1],
    ]);
    const fanRequest = requests.find((r) => r.account.id === fan.id)!;
    const trollRequest = requests.find((r) => r.account.id === troll.id)!;
    expect(fanRequest.lastStatus?.id).toBe(post.id);

    await owner.client.v1.notifications.requests.$select(fanRequest.id).accept();
    await owner.client.v1.notifications.requests.$select(trollRequest.id).dismiss();
    expect(await owner.client.v1.notifications.requests.merged.fetch()).toEqual({ merged: true });
    expect(await owner.client.v1.notifications.requests.list()).toEqual([]);
    const notifications = await owner.client.v1.notifications.list();
    expect(notifications.map((n) => [n.type, n.account?.id])).toEqual([['favourite', fan.id]]);
  });
});
