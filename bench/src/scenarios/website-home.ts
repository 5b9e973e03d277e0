import { anonymous } from './anonymous.js';
import type { HttpScenario } from './types.js';

/** The website's home page: the public timeline rendered as HTML. Compared with the bare ceiling only. */
export const websiteHome: HttpScenario = {
  id: 'website',
  title: 'GET / (website, HTML)',
  service: 'frontend',
  requests: () => [anonymous('/')],
  bare: 'html',
};
