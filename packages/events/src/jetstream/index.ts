export {
  connectToNats,
  watchConnectionClosed,
  NATS_CONNECTION_DEFAULTS,
  type ConnectToNatsOptions,
} from './connection.js';
export {
  parseNatsServers,
  natsConnectionOptions,
  natsSettingsProblems,
  redactNatsUrl,
  NatsUrlError,
  NATS_URL_PROTOCOLS,
  type NatsServers,
  type NatsAuthFiles,
} from './servers.js';
export { TopologyKeeper, isMissingTopologyError, type TopologyKeeperOptions } from './keeper.js';
export { silentLogger, type LoggerLike } from './logger.js';
export {
  checkNatsServer,
  compareVersions,
  natsServerWarnings,
  parseServerVersion,
  MIN_RECOMMENDED_NATS_VERSION,
  type NatsServerCheck,
} from './server-check.js';
export { formatMismatches, type ConfigMismatch } from './config-diff.js';
export { JetStreamConfigError } from './errors.js';
export {
  streamSettings,
  ensureStream,
  verifyStream,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_MAX_AGE_MS,
  type EventStreamConfig,
  type StreamSettingsOverrides,
  type EnsureResult,
} from './stream.js';
export {
  consumerSettings,
  ensureConsumer,
  verifyConsumer,
  effectiveAckWaitMs,
  defaultRetryDelayMs,
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_MAX_DELIVER,
  DEFAULT_RETRY_DELAYS_MS,
  type ConsumerSettingsInput,
  type EventConsumerConfig,
} from './consumer-config.js';
export {
  publishEvent,
  isUnknownPublishOutcome,
  REQUEST_ID_HEADER,
  type PublishEventOptions,
  type PublishEventResult,
} from './publish.js';
export {
  startConsumer,
  type ConsumerHandle,
  type DeliveryMeta,
  type InvalidDelivery,
  type StartConsumerOptions,
  type StopOptions,
} from './consume.js';
export { cancellableDelay, type CancellableDelay } from './time.js';
