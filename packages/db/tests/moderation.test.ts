import { beforeAll, describe, expect, it } from 'vitest';
import { isDomainError, type Database } from '../src/index.js';
import {
  addInstanceRule,
  changeReportState,
  fileReport,
  findReport,
  listAuditLog,
  listInstanceRules,
  listReports,
  removeInstanceRule,
  setAccountRole,
  takeAccountAction,
} from '../src/moderation/index.js';
import {
  authenticateAccessToken,
  issueAccessToken,
  registerApplication,
} from '../src/auth/index.js';
import { createStatus } from '../src/statuses/index.js';
import { followAccount } from '../src/follows/index.js';
import { listNotifications } from '../src/notifications/index.js';
import { publicTimeline } from '../src/timelines/index.js';
import { searchAccounts } from '../src/search/index.js';
import { findVisibleAccountById } from '../src/accounts/index.js';
import {
  createAccountFixture,
  deliverNotifications,
  outboxEvents,
  useTestDatabase,
} from '../src/testing/index.js';

const testDb = useTestDatabase();
let database: Database;

beforeAll(async () => {
  database = testDb.database;
});

async function tokenFor(accountId: string): Promise<string> {
  const { application } = await registerApplication(database, {
    name: 'test',
    redirectUris: ['urn:ietf:wg:oauth:2.0:oob'],
    scopes: ['read', 'write'],
  });
  const { accessToken } = await issueAccessToken(database, {
    applicationId: application.id,
    accountId,
    scopes: ['read'],
  });
  return accessToken;
}

describe('instance rules', () => {
  it('lists rules in the order added, leaves removed ones out, refuses empty and overlong texts', async () => {
    const first = await addInstanceRule(database, { moderatorId: null, text: '  Be kind  ' });
    const second = await addInstanceRule(database, {
      moderatorId: null,
      text: 'No spam',
      hint: 'Advertising included',
    });
    expect(first.text).toBe('Be kind');
    let rules = await listInstanceRules(database.primary);
    expect(rules.map((r) => r.text).slice(-2)).toEqual(['Be kind', 'No spam']);
    expect(rules.at(-1)!.hint).toBe('Advertising included');

    await removeInstanceRule(database, { moderatorId: null, ruleId: first.id });
    rules = await listInstanceRules(database.primary);
    expect(rules.map((r) => r.id)).not.toContain(first.id);
    expect(rules.map((r) => r.id)).toContain(second.id);

    await expect(addInstanceRule(database, { moderatorId: null, text: '   ' })).rejects.toSatisfy(
      (e) => isDomainError(e, 'InvalidField'),
    );
    await expect(
      addInstanceRule(database, { moderatorId: null, text: 'x'.repeat(301) }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'InvalidField'));
    await expect(
      removeInstanceRule(database, { moderatorId: null, ruleId: first.id }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'RuleNotFound'));
  });

  it('a violation report must cite current rules; removed rules cannot be cited', async () => {
    const reporter = await createAccountFixture(database);
    const target = await createAccountFixture(database);
    const rule = await addInstanceRule(database, { moderatorId: null, text: 'No harassment' });
    const report = await fileReport(database, {
      accountId: reporter.id,
      targetAccountId: target.id,
      category: 'violation',
      ruleIds: [rule.id],
    });
    expect(report.ruleIds).toEqual([rule.id]);
    expect((await findReport(database.primary, report.id))!.rules[0]!.text).toBe('No harassment');
    await removeInstanceRule(database, { moderatorId: null, ruleId: rule.id });
    await expect(
      fileReport(database, {
        accountId: reporter.id,
        targetAccountId: target.id,
        category: 'violation',
        ruleIds: [rule.id],
      }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'InvalidField'));
  });
});

describe('reports', () => {
  it('writes ReportFiled and notifies every staff member once, not the reporter or plain users', async () => {
    const moderator = await createAccountFixture(database, { role: 'moderator' });
    const admin = await createAccountFixture(database, { role: 'admin' });
    const bystander = await createAccountFixture(database);
    const reporter = await createAccountFixture(database);
    const target = await createAccountFixture(database);
    const post = await createStatus(database, { accountId: target.id, text: 'spam spam' });
    const report = await fileReport(database, {
      accountId: reporter.id,
      targetAccountId: target.id,
      statusIds: [post.id],
      comment: 'Spam',
      category: 'spam',
    });
    const events = await outboxEvents(database, ['ReportFiled']);
    expect(events.map((e) => e.data.reportId)).toContain(report.id);

    await deliverNotifications(database);
    await deliverNotifications(database);
    for (const staff of [moderator, admin]) {
      const notes = await listNotifications(database.primary, staff.id, { limit: 40 });
      const forReport = notes.filter((n) => n.type === 'admin.report');
      expect(forReport.length).toBeGreaterThanOrEqual(1);
      expect(forReport.filter((n) => n.account.id === reporter.id)).toHaveLength(1);
    }
    expect(await listNotifications(database.primary, bystander.id, { limit: 40 })).toEqual([]);
    const announced = await outboxEvents(database, ['NotificationCreated']);
    // One announcement per staff member, however often the event was delivered.
    expect(
      announced.filter(
        (e) => e.data.type === 'admin.report' && e.data.fromAccountId === reporter.id,
      ),
    ).toHaveLength(2);
  });

  it('refuses statuses of another account, self reports and unknown categories', async () => {
    const reporter = await createAccountFixture(database);
    const target = await createAccountFixture(database);
    const other = await createStatus(database, { accountId: reporter.id, text: 'mine' });
    await expect(
      fileReport(database, {
        accountId: reporter.id,
        targetAccountId: target.id,
        statusIds: [other.id],
      }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'InvalidField'));
    await expect(
      fileReport(database, { accountId: reporter.id, targetAccountId: reporter.id }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'InvalidField'));
    await expect(
      fileReport(database, {
        accountId: reporter.id,
        targetAccountId: target.id,
        category: 'rude',
      }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'InvalidField'));
  });

  it('moves through assign, resolve, reopen, and the audit log says who did what', async () => {
    const moderator = await createAccountFixture(database, { role: 'moderator' });
    const reporter = await createAccountFixture(database);
    const target = await createAccountFixture(database);
    const report = await fileReport(database, {
      accountId: reporter.id,
      targetAccountId: target.id,
    });
    await changeReportState(database, {
      moderatorId: moderator.id,
      reportId: report.id,
      change: 'assign_to_self',
    });
    expect((await findReport(database.primary, report.id))!.assignedAccountId).toBe(moderator.id);
    await changeReportState(database, {
      moderatorId: moderator.id,
      reportId: report.id,
      change: 'resolve',
    });
    const resolved = await findReport(database.primary, report.id);
    expect(resolved!.actionTakenAt).not.toBeNull();
    expect(resolved!.actionTakenByAccountId).toBe(moderator.id);
    const queue = await listReports(database.primary, {}, { limit: 40 });
    expect(queue.map((r) => r.id)).not.toContain(report.id);
    await changeReportState(database, {
      moderatorId: moderator.id,
      reportId: report.id,
      change: 'reopen',
    });
    expect((await findReport(database.primary, report.id))!.actionTakenAt).toBeNull();

    const log = await listAuditLog(database.primary, { limit: 10 });
    expect(log.slice(0, 3).map((l) => [l.action, l.moderator?.id])).toEqual([
      ['reopen', moderator.id],
      ['resolve', moderator.id],
      ['assign_to_self', moderator.id],
    ]);
    const user = await createAccountFixture(database);
    await expect(
      changeReportState(database, { moderatorId: user.id, reportId: report.id, change: 'resolve' }),
    ).rejects.toSatisfy((e) => isDomainError(e, 'NotAllowed'));
  });
});

describe('actions on accounts', () => {
  it('a suspension stops the tokens at once and hides the posts; unsuspending restores both', async () => {
    const moderator = await createAccountFixture(database, { role: 'moderator' });
    const target = await createAccountFixture(database);
    const token = await tokenFor(target.id);
    const post = await createStatus(database, { accountId: target.id, text: 'visible?' });
    expect(await authenticateAccessToken(database, token)).not.toBeNull();

    await takeAccountAction(database, {
      moderatorId: moderator.id,
      accountId: target.id,
      type: 'suspend',
      text: 'Spam account',
    });
    expect(await authenticateAccessToken(database, token)).toBeNull();
    const timeline = await publicTimeline(database.primary, { limit: 40 });
    expect(timeline.map((s) => s.id)).not.toContain(post.id);
    expect(await searchAccounts(database.primary, target.username, { limit: 5 })).toEqual([]);
    expect(await findVisibleAccountById(database.primary, target.id)).toBeNull();
    const events = await outboxEvents(database, ['AccountSuspended']);
    expect(
      events.some((e) => e.data.accountId === target.id && e.data.moderatorId === moderator.id),
    ).toBe(true);
    expect((await listAuditLog(database.primary, { limit: 1 }))[0]).toMatchObject({
      action: 'suspend',
      targetId: target.id,
      note: 'Spam account',
    });

    await takeAccountAction(database, {
      moderatorId: moderator.id,
      accountId: target.id,
      type: 'unsuspend',
    });
    expect(await authenticateAccessToken(database, token)).not.toBeNull();
    expect((await publicTimeline(database.primary, { limit: 40 })).map((s) => s.id)).toContain(
      post.id,
    );
    expect(
      (await searchAccounts(database.primary, target.username, { limit: 5 })).map((a) => a.id),
    ).toEqual([target.id]);
  });

  it('silencing keeps the account out of the public timeline and of the notifications of non-followers', async () => {
    const moderator = await createAccountFixture(database, { role: 'admin' });
    const loud = await createAccountFixture(database);
    const follower = await createAccountFixture(database);
    const stranger = await createAccountFixture(database);
    await followAccount(database, { accountId: follower.id, targetAccountId: loud.id });
    await takeAccountAction(database, {
      moderatorId: moderator.id,
      accountId: loud.id,
      type: 'silence',
    });
    const post = await createStatus(database, {
      accountId: loud.id,
      text: `@${follower.username} @${stranger.username} hello`,
    });
    await deliverNotifications(database);
    expect((await publicTimeline(database.primary, { limit: 40 })).map((s) => s.id)).not.toContain(
      post.id,
    );
    const followerNotes = await listNotifications(database.primary, follower.id, { limit: 10 });
    expect(followerNotes.some((n) => n.type === 'mention' && n.status?.id === post.id)).toBe(true);
    expect(await listNotifications(database.primary, stranger.id, { limit: 10 })).toEqual([]);
  });

  it('nobody acts on a higher or equal role (owners aside); moderators cannot grant roles', async () => {
    const moderator = await createAccountFixture(database, { role: 'moderator' });
    const otherModerator = await createAccountFixture(database, { role: 'moderator' });
    const admin = await createAccountFixture(database, { role: 'admin' });
    const owner = await createAccountFixture(database, { role: 'owner' });
    const user = await createAccountFixture(database);
    const notAllowed = (e: unknown) => isDomainError(e, 'NotAllowed');
    await expect(
      takeAccountAction(database, {
        moderatorId: moderator.id,
        accountId: admin.id,
        type: 'suspend',
      }),
    ).rejects.toSatisfy(notAllowed);
    await expect(
      takeAccountAction(database, {
        moderatorId: moderator.id,
        accountId: otherModerator.id,
        type: 'silence',
      }),
    ).rejects.toSatisfy(notAllowed);
    await expect(
      takeAccountAction(database, { moderatorId: user.id, accountId: user.id, type: 'none' }),
    ).rejects.toSatisfy(notAllowed);
    await expect(
      setAccountRole(database, {
        moderatorId: moderator.id,
        accountId: user.id,
        role: 'moderator',
      }),
    ).rejects.toSatisfy(notAllowed);
    await expect(
      setAccountRole(database, { moderatorId: admin.id, accountId: user.id, role: 'admin' }),
    ).rejects.toSatisfy(notAllowed);
    await setAccountRole(database, {
      moderatorId: admin.id,
      accountId: user.id,
      role: 'moderator',
    });
    await takeAccountAction(database, {
      moderatorId: owner.id,
      accountId: admin.id,
      type: 'disable',
    });
    expect(await authenticateAccessToken(database, await tokenFor(admin.id))).toBeNull();
    const previous = await setAccountRole(database, {
      moderatorId: null,
      accountId: user.id,
      role: 'user',
    });
    expect(previous.previousRole).toBe('moderator');
  });
});
