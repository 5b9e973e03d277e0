import { connect } from '@nats-io/transport-node';
import { jetstreamManager, jetstream, AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
console.log('info version', nc.info?.version, 'features', [...nc.features.features.entries()].map(([k,v])=>`${k}:${v.ok}`).join(' '));
const jsm = await jetstreamManager(nc);
const name = 'PROBE_' + Date.now();
const si = await jsm.streams.add({ name, subjects: [`probe${Date.now()}.>`], storage: 'file', duplicate_window: 600e9, max_age: 7*86400e9, allow_direct: true, discard: 'old', retention: 'limits', num_replicas: 1 });
console.log(JSON.stringify(si.config));
const ci = await jsm.consumers.add(name, { durable_name: 'c1', ack_policy: AckPolicy.Explicit, ack_wait: 30e9, backoff: [1e9, 5e9, 30e9, 120e9, 600e9], max_deliver: 8, max_ack_pending: 4, deliver_policy: DeliverPolicy.All });
console.log(JSON.stringify(ci.config));
try {
  const ci2 = await jsm.consumers.add(name, { durable_name: 'c2', ack_policy: AckPolicy.Explicit, ack_wait: 30e9, backoff: [1e9, 5e9, 30e9], max_deliver: 2 });
  console.log('c2', JSON.stringify(ci2.config));
} catch (e) { console.log('c2 err', e.message); }
const ci3 = await jsm.consumers.update(name, 'c1', { ack_wait: 20e9, max_ack_pending: 5 }).catch(e => ({err: e.message}));
console.log('update', JSON.stringify(ci3.config ?? ci3));
await jsm.streams.delete(name);
await nc.close();
