import type { ViteUserConfig } from 'vitest/config';

export declare const unitConfig: ViteUserConfig;
export declare const integrationConfig: ViteUserConfig;
