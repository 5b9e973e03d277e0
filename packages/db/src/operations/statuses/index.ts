/** Status use cases, one per file; `visible.ts` resolves what an action applies to. */
export {
  createStatus,
  type CreatedStatus,
  type CreateStatusInput,
  type CreateStatusOptions,
} from './create.js';
export { deleteStatus } from './delete.js';
export { editStatus, type EditStatusInput } from './edit.js';
export { favouriteStatus, unfavouriteStatus } from './favourite.js';
export { reblogStatus, unreblogStatus } from './reblog.js';
export {
  getVisibleStatus,
  resolveStatusTarget,
  type StatusActionInput,
  type StatusRecord,
  type StatusTarget,
} from './visible.js';
