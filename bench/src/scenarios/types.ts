import type { DatasetInfo } from '../dataset.js';
import type { RequestSpec } from '../load.js';
import type { ScenarioId } from '../options.js';

/** An HTTP scenario: the requests sent to the service, and the same work asked of the reference server. */
export interface HttpScenario {
  id: ScenarioId;
  title: string;
  service: 'api' | 'frontend';
  requests(info: DatasetInfo): RequestSpec[];
  /** The reference server's equivalent; absent when only the bare ceiling applies. */
  reference?(info: DatasetInfo): RequestSpec[];
  /** The body type of the bare ceiling. */
  bare: 'json' | 'html';
  /** The scenario writes: the benchmark removes what it created afterwards. */
  writes?: boolean;
}
