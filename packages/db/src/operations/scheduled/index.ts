/** Scheduled statuses: scheduling, moving, cancelling, and the worker's publishing. */
export {
  cancelScheduledStatus,
  rescheduleStatus,
  scheduleStatus,
  SCHEDULED_STATUS_RULES,
  type ScheduleStatusInput,
} from './schedule.js';
export { publishDueScheduledStatuses, type ScheduledPublishOutcome } from './publish.js';
