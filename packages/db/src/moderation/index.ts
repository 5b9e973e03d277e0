/**
 * @murmur/db/moderation: staff roles and permissions, reports, instance rules, actions on accounts
 * (suspend, silence, approve sign-ups, ...), the admin views of accounts and the audit log.
 */
export { ROLES, ACCOUNT_ROLES, isAccountRole, isStaff, type AccountRole } from '../roles.js';
export { signInRefusal } from '../operations/moderation/sign-in-refusal.js';
export { setAccountRole } from '../operations/moderation/set-account-role.js';
export {
  takeAccountAction,
  ACCOUNT_ACTIONS,
  type AccountAction,
} from '../operations/moderation/take-account-action.js';
export { reviewSignUp } from '../operations/moderation/review-sign-up.js';
export { fileReport, type FiledReport } from '../operations/moderation/file-report.js';
export { changeReportState, REPORT_CHANGES } from '../operations/moderation/change-report-state.js';
export {
  listInstanceRules,
  addInstanceRule,
  removeInstanceRule,
} from '../operations/moderation/instance-rules.js';
export {
  adminAccountsById,
  listAdminAccounts,
  findReport,
  listReports,
  listAuditLog,
  recentStatusesForModeration,
  type AdminAccountView,
  type AdminAccountFilter,
  type ReportView,
} from '../queries/moderation.js';
export {
  blockInstanceDomain,
  MAX_DOMAIN_BLOCK_COMMENT,
  type BlockInstanceDomainInput,
  type DomainBlockOptions,
} from '../operations/moderation/block-instance-domain.js';
export { changeInstanceDomainBlock } from '../operations/moderation/change-instance-domain-block.js';
export { unblockInstanceDomain } from '../operations/moderation/unblock-instance-domain.js';
export {
  listInstanceDomainBlocks,
  listPublicInstanceDomainBlocks,
  findInstanceDomainBlock,
  findInstanceDomainBlockByDomain,
  type InstanceDomainBlock,
} from '../queries/instance-domain-blocks.js';
export { DOMAIN_BLOCK_SEVERITIES, type DomainBlockSeverity } from '../schema/index.js';
