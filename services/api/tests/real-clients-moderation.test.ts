/**
 * Reports and moderation as masto.js (Elk, Phanpy, admin tools) calls them, unmodified, over HTTP:
 * a person reports an account, a moderator made an admin client sees the report in the queue and
 * its notification, resolves it with a suspension, and the suspended account's token stops.
 */
import { addInstanceRule, setAccountRole } from '@murmur/db/moderation';
import { deliverNotifications } from '@murmur/db/testing';
import { MastoHttpError } from 'masto';
import { describe, expect, it } from 'vitest';
import { useMastoServer } from './_masto.js';

const server = useMastoServer();
const { person: client } = server;

describe('masto.js', () => {
  it('files a report; an admin client lists, resolves and suspends; the token stops', async () => {
    const rule = await addInstanceRule(server.database, { moderatorId: null, text: 'No spam' });
    const reporter = await client('masto_reporter', ['read', 'write']);
    const spammer = await client('masto_spammer', ['read', 'write']);
    const moderator = await client('masto_moderator', [
      'read',
      'write',
      'admin:read',
      'admin:write',
    ]);
    await setAccountRole(server.database, {
      moderatorId: null,
      accountId: moderator.id,
      role: 'moderator',
    });

    const post = await spammer.client.v1.statuses.create({ status: 'cheap watches' });
    const { rules } = await reporter.client.v2.instance.fetch();
    expect(rules.map((r) => r.id)).toEqual([rule.id]);
    const report = await reporter.client.v1.reports.create({
      accountId: spammer.id,
      statusIds: [post.id],
      comment: 'Spam',
      ruleIds: [rule.id],
    });
    expect(report).toMatchObject({ category: 'violation', actionTaken: false });
    expect(report.targetAccount.id).toBe(spammer.id);

    await deliverNotifications(server.database);
    const [notification] = await moderator.client.v1.notifications.list({
      types: ['admin.report'],
    });
    expect(notification).toMatchObject({ type: 'admin.report', report: { id: report.id } });

    const queue = await moderator.client.v1.admin.reports.list();
    const listed = queue.find((r) => r.id === report.id);
    expect(listed?.targetAccount.id).toBe(spammer.id);
    expect(listed?.statuses.map((s) => s.id)).toEqual([post.id]);
    expect(listed?.rules.map((r) => r.id)).toEqual([rule.id]);

    const assigned = await moderator.client.v1.admin.reports.$select(report.id).assignToSelf();
    expect(assigned.assignedAccount?.id).toBe(moderator.id);
    await moderator.client.v1.admin.accounts.$select(spammer.id).action.create({
      type: 'suspend',
      reportId: report.id,
      text: 'Spam only',
    });
    const resolved = await moderator.client.v1.admin.reports.$select(report.id).fetch();
    expect(resolved.actionTaken).toBe(true);
    await expect(spammer.client.v1.accounts.verifyCredentials()).rejects.toBeInstanceOf(
      MastoHttpError,
    );
    const suspended = await moderator.client.v1.admin.accounts.list({ suspended: true });
    expect(suspended.map((a) => a.id)).toEqual([spammer.id]);
  });
});
